// One ONNX Runtime session on one execution provider, in its own worker thread (./session-worker.ts), so that a
// run of hundreds of milliseconds never blocks the daemon's event loop. Callers pass float32 (Float32Array) and int64
// (BigInt64Array) tensors and receive float32: float16 graphs cast inside the graph (models/MANIFEST.md).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type * as ort from "onnxruntime-node";
import type { Device, FloatTensor, HostTensor, ModelSession, OpenSession, SessionTuning, TensorInfo } from "../model/session";
import { type FromWorker, GRAPH_SESSION_WORKER_SOURCE, type GraphWorkerData, type ToWorker, type WireTensor } from "./session-worker";

export const DEFAULT_TUNING: SessionTuning = { intraOpThreads: 0 };

/**
 * Session options, chosen for a daemon that runs three graphs (vision, llm, adapter) beside an editor:
 * - graphOptimizationLevel 'all': constant folding plus the extended and layout fusions (GELU, LayerNorm, MatMul+Add,
 *   attention) that ORT documents as the largest CPU win for transformer graphs; the cost is paid once, at load.
 * - executionMode 'sequential' with one inter-op thread: these graphs are chains of layers with no independent
 *   branches, so ORT's parallel executor would only add scheduling overhead; all parallelism is intra-op.
 * - enableCpuMemArena and enableMemPattern: batches repeat the same shapes, so the arena and the planned allocation
 *   pattern let later runs reuse the first run's buffers instead of allocating per request. The price is that the
 *   arena keeps the peak (largest batch) allocated.
 * - intra_op.allow_spinning '0': idle ORT workers otherwise busy-wait after every run, taking CPU from the editor,
 *   from sharp's decoders and from the other two sessions' threads, which all share the same few cores. On the
 *   2-core dev machine, spinning on cut random-tiny's throughput by half or more at concurrency 8 and 64.
 * - intraOpNumThreads 0 (one per physical core) unless configured: one run uses the whole CPU; the batcher runs one
 *   batch per graph at a time.
 */
function sessionOptions(device: Device, tuning: SessionTuning): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: device === "cuda" ? [{ name: "cuda", deviceId: 0 }] : ["cpu"],
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    intraOpNumThreads: tuning.intraOpThreads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

/**
 * Whether onnxruntime-node has its CUDA provider library beside it (npm run setup:cuda puts it there). Checking the
 * file first keeps `--device auto` on a CPU-only machine from provoking ORT's native load error on stderr.
 */
export function cudaProviderInstalled(): boolean {
  const require = createRequire(__filename);
  const ortDir = path.dirname(require.resolve("onnxruntime-node/package.json"));
  return existsSync(path.join(ortDir, "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so"));
}

interface PendingRun {
  resolve(outputs: Record<string, FloatTensor>): void;
  reject(err: Error): void;
}

/** The feed as it travels: its buffer is transferred, not copied, unless the array is a view on part of a larger one. */
function wireTensor(tensor: HostTensor, transfer: Set<ArrayBuffer>): WireTensor {
  const whole = tensor.data.byteOffset === 0 && tensor.data.byteLength === tensor.data.buffer.byteLength;
  const data = whole ? tensor.data : tensor.data.slice();
  if (!(data.buffer instanceof ArrayBuffer)) throw new Error("tensors on a SharedArrayBuffer cannot be moved to a session");
  transfer.add(data.buffer);
  return { type: data instanceof Float32Array ? "float32" : "int64", data, dims: [...tensor.dims] };
}

/**
 * A session on a worker thread. Runs are queued in the worker, one at a time, in the order they were asked for.
 * The worker holds the process open only while a run is in flight, so an idle session never keeps the daemon alive,
 * and it dies with the process.
 */
export class GraphSession implements ModelSession {
  private readonly pending = new Map<number, PendingRun>();
  private nextId = 0;
  private failure: Error | undefined;
  private released: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly device: Device,
    readonly inputs: TensorInfo[],
    readonly outputs: TensorInfo[],
    private readonly file: string,
  ) {
    worker.on("message", (message: FromWorker) => this.receive(message));
    worker.on("error", (err) => this.fail(new Error(`the session worker for ${file} failed: ${err.message}`)));
    worker.on("exit", (code) => this.fail(new Error(`the session worker for ${file} exited (code ${code})`)));
    worker.unref();
  }

  static async open(file: string, device: Device, tuning: SessionTuning = DEFAULT_TUNING): Promise<GraphSession> {
    const require = createRequire(__filename);
    const workerData: GraphWorkerData = { ortPath: require.resolve("onnxruntime-node"), file, options: sessionOptions(device, tuning) };
    const worker = new Worker(GRAPH_SESSION_WORKER_SOURCE, { eval: true, workerData, name: `ort ${path.basename(file)}` });
    const ready = await new Promise<Extract<FromWorker, { kind: "ready" }>>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the session worker for ${file} exited (code ${code}) before the session opened`));
      worker.once("error", reject);
      worker.once("exit", onExit);
      worker.once("message", (message: FromWorker) => {
        worker.off("error", reject);
        worker.off("exit", onExit);
        if (message.kind === "ready") resolve(message);
        else reject(new Error(message.kind === "open-failed" ? message.message : `unexpected ${message.kind} from the session worker`));
      });
    }).catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    });
    return new GraphSession(worker, device, ready.inputs, ready.outputs, file);
  }

  /** Runs the graph. The feeds' buffers are moved to the worker: the caller must not use those arrays afterwards. */
  run(feeds: Record<string, HostTensor>, outputNames: readonly string[]): Promise<Record<string, FloatTensor>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.released) return Promise.reject(new Error(`the session for ${this.file} was released`));
    const transfer = new Set<ArrayBuffer>();
    const wire: Record<string, WireTensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) wire[name] = wireTensor(tensor, transfer);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ kind: "run", id, feeds: wire, outputs: outputNames } satisfies ToWorker, [...transfer]);
    });
  }

  release(): Promise<void> {
    this.released ??= new Promise<void>((resolve) => {
      if (this.failure) return resolve();
      this.worker.ref();
      this.worker.once("exit", () => resolve());
      this.worker.postMessage({ kind: "release" } satisfies ToWorker);
    });
    return this.released;
  }

  private receive(message: FromWorker): void {
    if (message.kind !== "result" && message.kind !== "run-failed") return;
    const run = this.pending.get(message.id);
    if (!run) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0 && !this.released) this.worker.unref();
    if (message.kind === "result") run.resolve(message.outputs as Record<string, FloatTensor>);
    else run.reject(new Error(message.message));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const run of this.pending.values()) run.reject(this.failure);
    this.pending.clear();
  }
}

export const openGraphSession: OpenSession = (file, device, tuning) => GraphSession.open(file, device, tuning);
