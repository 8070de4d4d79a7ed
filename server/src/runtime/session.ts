// One ONNX Runtime session on one execution provider, with float16 converted at its boundary: callers always pass
// and receive float32 (Float32Array) and int64 (BigInt64Array) tensors, whatever the graph's floating type.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as ort from "onnxruntime-node";
import type { Device, FloatTensor, HostTensor, ModelSession, OpenSession, SessionTuning, TensorInfo } from "../model/session";
import { float16ToFloat32, float32ToFloat16 } from "./float16";

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

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: "non-tensor", shape: [] }));
}

export class GraphSession implements ModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly device: Device,
    readonly inputs: TensorInfo[],
    readonly outputs: TensorInfo[],
  ) {}

  static async open(file: string, device: Device, tuning: SessionTuning = DEFAULT_TUNING): Promise<GraphSession> {
    const session = await ort.InferenceSession.create(file, sessionOptions(device, tuning));
    return new GraphSession(session, device, describe(session.inputMetadata), describe(session.outputMetadata));
  }

  async run(feeds: Record<string, HostTensor>, outputNames: readonly string[]): Promise<Record<string, FloatTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      const info = this.inputs.find((i) => i.name === name);
      ortFeeds[name] =
        info?.type === "float16" && tensor.data instanceof Float32Array
          ? new ort.Tensor("float16", float32ToFloat16(tensor.data), tensor.dims)
          : new ort.Tensor(tensor.data, tensor.dims);
    }
    const results = await this.session.run(ortFeeds, outputNames as string[]);
    const out: Record<string, FloatTensor> = {};
    for (const name of outputNames) {
      const tensor = results[name] as ort.Tensor;
      if (tensor.type === "float16") out[name] = { data: float16ToFloat32(tensor.data as Uint16Array), dims: tensor.dims };
      else if (tensor.type === "float32") out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      else throw new Error(`output ${name} is ${tensor.type}, not a floating tensor`);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export const openGraphSession: OpenSession = (file, device, tuning) => GraphSession.open(file, device, tuning);
