// Reassembles EmbedImages chunks into whole images, keeping the bytes one stream buffers under a bound.
import type { EmbedImagesRequest } from "@llm2clip/proto";
import { invalidArgument, Llm2ClipError } from "../errors";

export type AssembledImage = { id: string; bytes: Buffer } | { id: string; error: Llm2ClipError };

interface OpenImage {
  chunks: Buffer[];
  bytes: number;
  error?: Llm2ClipError;
}

export class ImageAssembler {
  private readonly open = new Map<string, OpenImage>();
  private buffered = 0;

  constructor(private readonly maxBufferedBytes: number) {}

  /** Bytes held: images still arriving plus completed ones not yet released. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds one chunk; returns the image (or why it failed) when the chunk is marked last. */
  add({ id, chunk, last }: EmbedImagesRequest): AssembledImage | undefined {
    let image = this.open.get(id);
    if (image === undefined) {
      image = { chunks: [], bytes: 0, error: id === "" ? invalidArgument("id", "must not be empty") : undefined };
      this.open.set(id, image);
    }
    if (image.error === undefined && chunk.length > 0) {
      if (this.buffered + chunk.length > this.maxBufferedBytes) this.fail(image, this.overLimit(id, chunk.length));
      else {
        image.chunks.push(chunk);
        image.bytes += chunk.length;
        this.buffered += chunk.length;
      }
    }
    if (!last) return undefined;
    this.open.delete(id);
    if (image.error !== undefined) return { id, error: image.error };
    if (image.bytes === 0) return { id, error: invalidArgument("chunk", `image '${id}' is empty (0 bytes)`) };
    return { id, bytes: Buffer.concat(image.chunks, image.bytes) };
  }

  /** Frees the bytes of a completed image once it has been embedded. */
  release(bytes: number): void {
    this.buffered -= bytes;
  }

  /** Closes the images whose last chunk never came; for when the client has stopped sending. */
  closeUnfinished(): AssembledImage[] {
    const unfinished = [...this.open.entries()].map(([id, image]) => {
      this.fail(image, invalidArgument("last", `image '${id}' ended without a chunk marked last`));
      return { id, error: image.error! };
    });
    this.open.clear();
    return unfinished;
  }

  private fail(image: OpenImage, error: Llm2ClipError): void {
    this.buffered -= image.bytes;
    image.chunks = [];
    image.bytes = 0;
    image.error ??= error;
  }

  private overLimit(id: string, chunkBytes: number): Llm2ClipError {
    return new Llm2ClipError(
      "resource_exhausted",
      `chunk: image '${id}' would raise the bytes buffered on this stream to ${this.buffered + chunkBytes}, ` +
        `over the limit of ${this.maxBufferedBytes} (llm2clipd --max-stream-buffer-bytes); send fewer or smaller images at once`,
      "chunk",
    );
  }
}
