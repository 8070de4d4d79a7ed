// Image preprocessing (model/image.ts) in a small pool of worker processes, with a deadline per image that really
// stops the work. Processes, not worker_threads: terminate() cannot interrupt native code, and a Worker asked to stop
// during a 2 s librsvg render of a <use> bomb returned only when the render had finished; SIGKILL stops it at once.
// The daemon's event loop only moves bytes in and pixels out, so Pillow's resize of a 4000x3000 photo (hundreds of
// milliseconds of JavaScript) no longer stalls every other client.
//
// Anything that is not a known raster format (SVG above all) may hold all workers but one (./render-gate.ts), so that
// expensive SVGs running to their deadline leave a worker free for the other images.
import { fork, type ChildProcess } from "node:child_process";
import { type ErrorKind, Llm2ClipError } from "../errors";
import type { ImagePreprocessor, PreprocessedImage } from "../model/image";
import type { ImageSpec } from "../model/manifest";
import { RenderGate } from "./render-gate";

export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  spec: ImageSpec;
  maxPixels: number;
}

export type DecodeReply =
  | { kind: "ready" }
  | { kind: "done"; id: number; pixels: Float32Array; width: number; height: number }
  | { kind: "failed"; id: number; errorKind: ErrorKind; message: string; field?: string; retryAfterMs?: number };

export interface DecodePoolOptions {
  /** The worker's script: dist/decode-worker.js, built beside the daemon's bundle from ./decode-worker.ts. */
  script: string;
  workers: number;
  /** How long one image may take in a worker before the worker is killed and the image refused. */
  timeoutMs: number;
  /** How the limit is named in that refusal, e.g. the daemon's flag. */
  timeoutName: string;
  log: { warn(message: string): void };
}

/** Waiting SVGs beyond which callers are told to retry, and the hint per waiting SVG. */
const MAX_WAITING_SVGS = 8;
const RETRY_AFTER_MS_PER_SVG = 250;
/** A worker that died before it was ready is replaced after this pause, so that a broken install cannot spin. */
const RESPAWN_PAUSE_MS = 1_000;

interface Job {
  request: DecodeRequest;
  resolve(image: PreprocessedImage): void;
  reject(error: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Worker {
  child: ChildProcess;
  job?: Job;
  timer?: NodeJS.Timeout;
  /** Killed by the pool (deadline or shutdown), not crashed. */
  killed?: boolean;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Llm2ClipError ? signal.reason : new Llm2ClipError("cancelled", "the call was cancelled before it finished");
}

/** PNG, JPEG, GIF and WebP by their signatures: libvips decodes these incrementally and in bounded time per pixel. */
export function isRaster(bytes: Uint8Array): boolean {
  const starts = (...signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  const ascii = (text: string, at = 0) => [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
  return starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || ascii("GIF8") || (ascii("RIFF") && ascii("WEBP", 8));
}

export class DecodePool implements ImagePreprocessor {
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private queue: Job[] = [];
  private readonly others: RenderGate;
  private nextId = 0;
  private closed = false;
  /** Workers killed at the deadline since the pool started. */
  timeouts = 0;

  private constructor(private readonly options: DecodePoolOptions) {
    this.others = new RenderGate("SVGs", Math.max(1, options.workers - 1), MAX_WAITING_SVGS, RETRY_AFTER_MS_PER_SVG);
  }

  /** Starts the workers; rejects if one cannot start (a missing or broken script). */
  static async start(options: DecodePoolOptions): Promise<DecodePool> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error(`decode workers: ${options.workers} is not a positive integer`);
    const pool = new DecodePool(options);
    try {
      await Promise.all(Array.from({ length: options.workers }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Process ids of the live workers. */
  get pids(): number[] {
    return [...this.workers].map((worker) => worker.child.pid!);
  }

  preprocess(bytes: Uint8Array, spec: ImageSpec, maxPixels: number, signal?: AbortSignal): Promise<PreprocessedImage> {
    const request: DecodeRequest = { id: this.nextId++, bytes, spec, maxPixels };
    const submit = () => this.submit(request, signal);
    return isRaster(bytes) ? submit() : this.others.run(submit);
  }

  /** Refuses new images, fails the queued ones and stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    const queued = this.queue;
    this.queue = [];
    for (const job of queued) this.settle(job, () => job.reject(new Llm2ClipError("unavailable", "the image decoders are shut down")));
    await Promise.all(
      [...this.workers].map((worker) => {
        const exited = new Promise<void>((resolve) => worker.child.once("exit", () => resolve()));
        // Held until it has exited, or a process with nothing else to do would end before its workers are gone.
        worker.child.ref();
        worker.job?.reject(new Llm2ClipError("unavailable", "the image decoders are shut down"));
        worker.job = undefined;
        this.kill(worker);
        return exited;
      }),
    );
  }

  private submit(request: DecodeRequest, signal?: AbortSignal): Promise<PreprocessedImage> {
    if (this.closed) return Promise.reject(new Llm2ClipError("unavailable", "the image decoders are shut down"));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const job: Job = { request, resolve, reject, signal };
      if (signal) {
        job.onAbort = () => {
          if (!this.queue.includes(job)) return;
          this.queue = this.queue.filter((queued) => queued !== job);
          this.settle(job, () => reject(abortReason(signal)));
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private settle(job: Job, finish: () => void): void {
    if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
    finish();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
      worker.job = job;
      worker.timer = setTimeout(() => this.expire(worker), this.options.timeoutMs);
      worker.child.ref();
      worker.child.channel?.ref();
      // The bytes are copied into the message; the caller keeps its buffer. A failed send means a dying worker:
      // its exit fails the job.
      worker.child.send(job.request, (error) => {
        if (error) this.kill(worker);
      });
    }
  }

  private expire(worker: Worker): void {
    const job = worker.job;
    if (!job) return;
    worker.job = undefined;
    this.timeouts++;
    job.reject(
      new Llm2ClipError(
        "invalid_argument",
        `image: took more than the limit of ${this.options.timeoutMs} ms (${this.options.timeoutName}) to decode and preprocess, and was stopped`,
        "image",
      ),
    );
    this.kill(worker);
  }

  private kill(worker: Worker): void {
    clearTimeout(worker.timer);
    worker.killed = true;
    worker.child.kill("SIGKILL");
  }

  private receive(worker: Worker, reply: DecodeReply): void {
    const job = worker.job;
    if (reply.kind === "ready" || !job || reply.id !== job.request.id) return;
    clearTimeout(worker.timer);
    worker.job = undefined;
    if (reply.kind === "done") job.resolve({ pixels: reply.pixels, width: reply.width, height: reply.height });
    else job.reject(new Llm2ClipError(reply.errorKind, reply.message, reply.field, reply.retryAfterMs));
    this.makeIdle(worker);
    this.dispatch();
  }

  private makeIdle(worker: Worker): void {
    // An idle worker does not keep the daemon's process alive.
    worker.child.unref();
    worker.child.channel?.unref();
    this.idle.push(worker);
  }

  /** Forks a worker and resolves once it is ready for images. */
  private spawn(): Promise<void> {
    const child = fork(this.options.script, [], { serialization: "advanced", execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const worker: Worker = { child };
    this.workers.add(worker);
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      child.on("message", (reply: DecodeReply) => {
        if (reply.kind === "ready" && !ready) {
          ready = true;
          this.makeIdle(worker);
          this.dispatch();
          resolve();
        } else {
          this.receive(worker, reply);
        }
      });
      child.on("error", (error) => {
        if (!ready) reject(new Error(`cannot start an image decode worker (${this.options.script}): ${error.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(worker.timer);
        this.workers.delete(worker);
        const at = this.idle.indexOf(worker);
        if (at >= 0) this.idle.splice(at, 1);
        const job = worker.job;
        worker.job = undefined;
        const how = signal ?? `code ${code}`;
        job?.reject(new Llm2ClipError("internal", `the image decode worker exited (${how}) while preprocessing this image`));
        if (!ready) reject(new Error(`the image decode worker ${this.options.script} exited (${how}) before it was ready`));
        if (this.closed) return;
        if (!worker.killed) this.options.log.warn(`image decode worker ${child.pid} exited (${how}); starting another`);
        this.respawn(ready ? 0 : RESPAWN_PAUSE_MS);
      });
    });
  }

  private respawn(afterMs: number): void {
    const timer = setTimeout(() => {
      if (this.closed) return;
      this.spawn().catch((error: Error) => this.options.log.warn(error.message));
    }, afterMs);
    timer.unref();
  }
}
