// Ends a stream whose client has gone quiet: a SyncAssets that never sends the bytes it announced holds its
// collection's lock, and any stalled stream holds its buffered bytes, until it is ended.
import { Llm2ClipError } from "../errors";

export class StreamIdleTimer {
  private timer: NodeJS.Timeout | undefined;

  /**
   * Calls `onIdle` with a deadline_exceeded error once `ms` pass with no touch() while `waitingOnClient()` is true.
   * While the daemon itself is busy for the stream (embedding), the clock restarts.
   */
  constructor(
    private readonly ms: number,
    private readonly waitingOnClient: () => boolean,
    private readonly onIdle: (error: Llm2ClipError) => void,
  ) {
    this.touch();
  }

  /** The client sent something, or the daemon answered: the stream is alive. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(), this.ms);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    if (!this.waitingOnClient()) return this.touch();
    this.timer = undefined;
    this.onIdle(
      new Llm2ClipError("deadline_exceeded", `the client sent nothing for ${this.ms} ms while the daemon waited on it (llm2clipd --stream-idle-timeout-ms); the stream was ended`),
    );
  }
}
