// Admits a few expensive jobs at once and queues a bounded number more. The decode pool keeps SVGs (and anything else
// that is not a known raster format) to all but one of its workers, so that a burst of expensive SVGs, each running
// until its deadline, leaves a worker free for every other image.
import { Llm2ClipError } from "../errors";

export class RenderGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly what: string,
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    /** The hint given when the queue is full: about one job's time per queued job. */
    private readonly retryAfterMsPerJob: number,
  ) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        const retryAfterMs = this.retryAfterMsPerJob * (this.waiting.length + 1);
        throw new Llm2ClipError(
          "resource_exhausted",
          `image: ${this.waiting.length} ${this.what} already wait to be rendered (the limit); retry after ${retryAfterMs} ms`,
          "image",
          retryAfterMs,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
