// Dynamic batching for one graph: concurrent calls coalesce into one run of up to `maxBatch` items. A batch leaves
// when it is full, or `maxWaitMs` after its first item became ready; while a batch runs, new items wait and leave
// together as soon as it finishes. One batch runs at a time per graph: ORT already spreads a run over all cores.
import { invalidArgument, Llm2ClipError } from "../errors";

/** A batch is assumed to take at least this long when estimating a retry hint (the first batch has no measure yet). */
const MIN_BATCH_ESTIMATE_MS = 10;
const MAX_RETRY_AFTER_MS = 5_000;

export interface BatchLimits {
  /** Most items in one run of the graph. */
  maxBatch: number;
  /** How long the first ready item waits for company before its batch leaves. */
  maxWaitMs: number;
  /** Most items admitted and not yet running; beyond it, submit fails with resource_exhausted. */
  maxQueue: number;
}

/** Runs one batch; must return one output per input, in order. */
export type BatchRunner<I, O> = (inputs: I[]) => Promise<O[]>;

interface Pending<I, O> {
  input?: I;
  ready: boolean;
  settled: boolean;
  resolve(output: O): void;
  reject(error: unknown): void;
  detach(): void;
}

/** Limits that could never dispatch (a batch of 0) are invalid_argument on `batching.<graph>.<limit>`. */
export function checkBatchLimits(graph: string, limits: BatchLimits): void {
  const check = (key: keyof BatchLimits, ok: boolean, rule: string) => {
    if (!ok) throw invalidArgument(`batching.${graph}.${key}`, `${limits[key]} is not ${rule}`);
  };
  check("maxBatch", Number.isInteger(limits.maxBatch) && limits.maxBatch >= 1, "an integer of at least 1");
  check("maxQueue", Number.isInteger(limits.maxQueue) && limits.maxQueue >= 1, "an integer of at least 1");
  check("maxWaitMs", Number.isFinite(limits.maxWaitMs) && limits.maxWaitMs >= 0, "a number of milliseconds of at least 0");
}

function abortError(signal: AbortSignal): Llm2ClipError {
  if (signal.reason instanceof Llm2ClipError) return signal.reason;
  return new Llm2ClipError("cancelled", "the call was cancelled before it finished");
}

export class DynamicBatcher<I, O> {
  /** Admitted items not yet running, in arrival order (some may still be preparing their input). */
  private queue: Pending<I, O>[] = [];
  private running = false;
  /** The batch in flight, if any. */
  private current: Promise<void> | undefined;
  private timer: { cancel(): void } | undefined;
  private closed = false;
  /** Smoothed duration of one batch, for the retry hint. */
  private batchMs = 0;
  /** Calls refused since the queue was last empty: they will be back, so they count as depth in the retry hint. */
  private refusedSinceDrain = 0;

  constructor(
    readonly name: string,
    private readonly run: BatchRunner<I, O>,
    readonly limits: BatchLimits,
  ) {
    checkBatchLimits(name, limits);
  }

  /** Items admitted and not yet running. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /**
   * Queues one item. An aborted signal removes the item if its batch has not started, and rejects the call with
   * `cancelled` (or with the signal's reason, if that is an Llm2ClipError).
   */
  submit(input: I, signal?: AbortSignal): Promise<O> {
    return this.submitPrepared(async () => input, signal);
  }

  /**
   * Like `submit`, for an input that needs preparing first (an image to decode). `prepare` runs only once the item
   * is admitted, and the item holds its queue slot meanwhile, so preparation work is bounded by the same limit.
   * A preparation failure rejects this call alone.
   */
  submitPrepared(prepare: () => Promise<I>, signal?: AbortSignal): Promise<O> {
    if (this.closed) return Promise.reject(new Llm2ClipError("unavailable", `the ${this.name} graph is closed`));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.queue.length >= this.limits.maxQueue) {
      this.refusedSinceDrain++;
      const retryAfterMs = this.retryAfterMs();
      return Promise.reject(
        new Llm2ClipError(
          "resource_exhausted",
          `the ${this.name} queue is full (maxQueue ${this.limits.maxQueue} items); retry after ${retryAfterMs} ms`,
          undefined,
          retryAfterMs,
        ),
      );
    }
    return new Promise<O>((resolve, reject) => {
      const onAbort = () => {
        this.queue = this.queue.filter((p) => p !== item);
        settle(() => reject(abortError(signal!)));
      };
      const settle = (finish: () => void) => {
        if (item.settled) return;
        item.settled = true;
        item.detach();
        finish();
      };
      const item: Pending<I, O> = {
        ready: false,
        settled: false,
        resolve: (output) => settle(() => resolve(output)),
        reject: (error) => settle(() => reject(error)),
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(item);
      prepare().then(
        (value) => {
          item.input = value;
          item.ready = true;
          this.schedule();
        },
        (error) => {
          this.queue = this.queue.filter((p) => p !== item);
          item.reject(error);
          this.schedule();
        },
      );
    });
  }

  /** Rejects everything still queued and refuses new work; resolves once a running batch has finished. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    const queued = this.queue;
    this.queue = [];
    for (const item of queued) item.reject(new Llm2ClipError("unavailable", `the ${this.name} graph is closed`));
    await this.current;
  }

  /**
   * The time to run what is queued plus what was refused and will retry, so that under saturation the hints grow
   * and spread the retries out instead of bringing them all back within a few milliseconds.
   */
  private retryAfterMs(): number {
    const batchesAhead = Math.ceil((this.queue.length + this.refusedSinceDrain) / this.limits.maxBatch);
    const perBatchMs = Math.max(MIN_BATCH_ESTIMATE_MS, this.batchMs, this.limits.maxWaitMs);
    return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(batchesAhead * perBatchMs));
  }

  private readyItems(): Pending<I, O>[] {
    return this.queue.filter((p) => p.ready && !p.settled);
  }

  private schedule(): void {
    if (this.running || this.closed) return;
    const ready = this.readyItems().length;
    if (ready === 0) return;
    if (ready >= this.limits.maxBatch) {
      this.dispatch();
    } else if (this.timer === undefined) {
      // With no wait, still let the calls made in this turn of the event loop join (setImmediate runs after them,
      // without setTimeout's 1 ms minimum).
      if (this.limits.maxWaitMs > 0) {
        const handle = setTimeout(() => this.dispatch(), this.limits.maxWaitMs);
        this.timer = { cancel: () => clearTimeout(handle) };
      } else {
        this.afterIo(() => this.dispatch());
      }
    }
  }

  private afterIo(run: () => void): void {
    const handle = setImmediate(run);
    this.timer = { cancel: () => clearImmediate(handle) };
  }

  private dispatch(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.running || this.closed) return;
    const batch = this.readyItems().slice(0, this.limits.maxBatch);
    if (batch.length === 0) return;
    this.queue = this.queue.filter((p) => !batch.includes(p));
    this.running = true;
    this.current = this.runBatch(batch);
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    const started = performance.now();
    try {
      const outputs = await this.run(batch.map((p) => p.input as I));
      if (outputs.length !== batch.length) {
        throw new Error(`returned ${outputs.length} results for ${batch.length} inputs`);
      }
      batch.forEach((p, i) => p.resolve(outputs[i]));
    } catch (error) {
      const failure =
        error instanceof Llm2ClipError ? error : new Llm2ClipError("internal", `${this.name} graph: ${(error as Error).message}`);
      for (const p of batch) p.reject(failure);
    }
    const elapsed = performance.now() - started;
    this.batchMs = this.batchMs === 0 ? elapsed : 0.8 * this.batchMs + 0.2 * elapsed;
    this.running = false;
    if (this.queue.length === 0) this.refusedSinceDrain = 0;
    // Items that became ready during the run have waited long enough: they leave without maxWaitMs, but on the next
    // check phase, after the I/O that arrived during the run (ORT runs on this thread) has been read: new calls
    // join the batch, and cancelled ones have left the queue.
    if (this.readyItems().length > 0) this.afterIo(() => this.dispatch());
  }
}
