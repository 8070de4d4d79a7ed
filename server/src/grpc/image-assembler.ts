// Reassembles EmbedImages chunks into whole images. Everything the stream holds counts against its byte budget:
// the chunks of images still arriving or being embedded, and each open image's id.
import type { EmbedImagesRequest } from "@llm2clip/proto";
import { invalidArgument, Llm2ClipError } from "../errors";
import { stringBytes, type StreamByteBudget } from "./stream-budget";

/**
 * What one open image costs beyond its id's characters, as the daemon's memory sees it. Measured with 200,000 open
 * images: 150 B per image stay on the heap after a full GC (map slot, record, chunk list, id), and the daemon's RSS
 * rose by 410-500 B per image, since V8 keeps the heap it grew while decoding their messages (test/load/results.md).
 */
const OPEN_IMAGE_OVERHEAD_BYTES = 448;

export type AssembledImage = { id: string; bytes: Buffer } | { id: string; error: Llm2ClipError };

interface OpenImage {
  chunks: Buffer[];
  bytes: number;
  error?: Llm2ClipError;
}

export class ImageAssembler {
  private readonly open = new Map<string, OpenImage>();

  constructor(private readonly budget: StreamByteBudget) {}

  /**
   * Adds one chunk; returns the image (or why it failed) when the chunk is marked last. A chunk over the budget fails
   * its image; an id over the budget throws resource_exhausted, which ends the stream (the client opens too many images).
   */
  add({ id, chunk, last }: EmbedImagesRequest): AssembledImage | undefined {
    let image = this.open.get(id);
    if (image === undefined) {
      this.budget.take(idBytes(id), "id");
      image = { chunks: [], bytes: 0, error: id === "" ? invalidArgument("id", "must not be empty") : undefined };
      this.open.set(id, image);
    }
    if (image.error === undefined && chunk.length > 0) {
      try {
        this.budget.take(chunk.length, "chunk");
        image.chunks.push(chunk);
        image.bytes += chunk.length;
      } catch (error) {
        this.fail(image, imageError(id, error as Llm2ClipError));
      }
    }
    if (!last) return undefined;
    this.close(id);
    if (image.error !== undefined) return { id, error: image.error };
    if (image.bytes === 0) return { id, error: invalidArgument("chunk", `image '${id}' is empty (0 bytes)`) };
    return { id, bytes: Buffer.concat(image.chunks, image.bytes) };
  }

  /** Frees the bytes of a completed image once it has been embedded. */
  release(bytes: number): void {
    this.budget.give(bytes);
  }

  /** Closes the images whose last chunk never came; for when the client has stopped sending. */
  closeUnfinished(): AssembledImage[] {
    return [...this.open.entries()].map(([id, image]) => {
      this.fail(image, invalidArgument("last", `image '${id}' ended without a chunk marked last`));
      this.close(id);
      return { id, error: image.error! };
    });
  }

  private close(id: string): void {
    this.open.delete(id);
    this.budget.give(idBytes(id));
  }

  private fail(image: OpenImage, error: Llm2ClipError): void {
    this.budget.give(image.bytes);
    image.chunks = [];
    image.bytes = 0;
    image.error ??= error;
  }
}

function idBytes(id: string): number {
  return OPEN_IMAGE_OVERHEAD_BYTES + stringBytes(id);
}

function imageError(id: string, error: Llm2ClipError): Llm2ClipError {
  return new Llm2ClipError(error.kind, `image '${id}': ${error.message}`, error.field, error.retryAfterMs);
}
