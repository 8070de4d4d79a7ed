// The text of one image for SuggestAltText: what a collection already read for its content, or, when the daemon reads
// text (--ocr on), a reading done now. Readings done now are remembered by content hash (least recently used first
// out), so that lint-alt run after run, or an editor rechecking a page, reads each image once.
import { createHash } from "node:crypto";
import { Llm2ClipError } from "../errors";
import type { Collection, TextLineRecord } from "../store/collection";
import { decodeForOcr } from "./decode";
import type { OcrEngine } from "./engine";
import { type OcrSelection, readEveryImage } from "./text-likeness";

const REMEMBERED = 512;

export interface ImageTextQuery {
  /** The encoded image, when the request gave bytes. */
  bytes?: Uint8Array;
  /** The content hash, when the image is an indexed asset. */
  sha256?: string;
  /** The collection whose stored text is looked up first. */
  collection?: Collection;
}

export class ImageTexts {
  private readonly readings = new Map<string, Promise<TextLineRecord[] | undefined>>();

  constructor(
    private readonly engine: OcrEngine | undefined,
    private readonly maxImagePixels: number,
    private readonly selection: OcrSelection = readEveryImage,
  ) {}

  /** The image's lines in reading order; undefined when they are unknown (not read, and OCR is off or refused it). */
  async lines(query: ImageTextQuery): Promise<TextLineRecord[] | undefined> {
    const sha256 = query.sha256 ?? (query.bytes && createHash("sha256").update(query.bytes).digest("hex"));
    if (!sha256) return undefined;
    const stored = query.collection?.text(sha256);
    if (stored) return stored.error === undefined ? stored.lines : undefined;
    if (!this.engine || !query.bytes) return undefined;
    let reading = this.readings.get(sha256);
    if (reading) {
      this.readings.delete(sha256);
    } else {
      reading = this.read(query.bytes);
      reading.catch(() => this.readings.delete(sha256));
    }
    this.readings.set(sha256, reading);
    if (this.readings.size > REMEMBERED) this.readings.delete(this.readings.keys().next().value!);
    return reading;
  }

  private async read(bytes: Uint8Array): Promise<TextLineRecord[] | undefined> {
    try {
      const image = await decodeForOcr(bytes, this.maxImagePixels);
      return this.selection(image) ? await this.engine!.read(image) : undefined;
    } catch (error) {
      // An image OCR refuses (too many bands) still gets the model's suggestions; the embedding already decoded it.
      if (error instanceof Llm2ClipError && error.kind === "invalid_argument") return undefined;
      throw error;
    }
  }
}
