// Bounds the memory that client streams make the daemon hold: image chunks, manifest entries with their alt texts,
// the ids of open images. Each stream has its own budget, and all streams share one global budget, so neither one
// client nor many can run the daemon out of memory.
import { Llm2ClipError } from "../errors";

/** A stream that is refused for the global budget may retry once others have finished; this is how long to wait. */
const GLOBAL_RETRY_AFTER_MS = 1_000;
/** What a held string or entry costs beyond its characters (object headers, map slots). */
export const ENTRY_OVERHEAD_BYTES = 64;

/** The bytes a string occupies in V8, at most (two per UTF-16 code unit). */
export function stringBytes(text: string): number {
  return 2 * text.length;
}

/** The budget every stream of the daemon draws from (--max-buffer-bytes). */
export class GlobalByteBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get heldBytes(): number {
    return this.held;
  }

  tryTake(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

/** One stream's share (--max-stream-buffer-bytes), also counted against the global budget. */
export class StreamByteBudget {
  private held = 0;
  private closed = false;

  constructor(
    private readonly global: GlobalByteBudget,
    readonly limit: number,
  ) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Counts `bytes` more against both budgets; resource_exhausted naming `field` and the limit when either is over. */
  take(bytes: number, field: string): void {
    if (this.closed) throw new Llm2ClipError("cancelled", `${field}: the stream is over`, field);
    if (this.held + bytes > this.limit) {
      throw new Llm2ClipError(
        "resource_exhausted",
        `${field}: this stream would hold ${this.held + bytes} bytes, over the limit of ${this.limit} (llm2clipd --max-stream-buffer-bytes); send less at once`,
        field,
      );
    }
    if (!this.global.tryTake(bytes)) {
      throw new Llm2ClipError(
        "resource_exhausted",
        `${field}: the daemon's streams would hold ${this.global.heldBytes + bytes} bytes, over the limit of ${this.global.limit} (llm2clipd --max-buffer-bytes); retry later`,
        field,
        GLOBAL_RETRY_AFTER_MS,
      );
    }
    this.held += bytes;
  }

  /** Returns bytes to both budgets; a no-op once the stream is closed (close() returned everything). */
  give(bytes: number): void {
    if (this.closed) return;
    this.held -= bytes;
    this.global.give(bytes);
  }

  /** Frees whatever the stream still holds; for when it ends, however it ends. */
  close(): void {
    this.give(this.held);
    this.closed = true;
  }
}
