// The inference session the model needs: run a graph on host tensors, float32 in and out whatever the graph's
// floating type. runtime/session.ts implements it on ONNX Runtime; the model knows only this interface.
export type Device = "cpu" | "cuda";

export interface TensorInfo {
  name: string;
  /** ORT's element type, e.g. `float32`, `float16`, `int64`. */
  type: string;
  /** Fixed dims as numbers, symbolic ones as strings; empty when the graph does not say. */
  shape: ReadonlyArray<number | string>;
}

export interface HostTensor {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface ModelSession {
  readonly device: Device;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  run(feeds: Record<string, HostTensor>, outputNames: readonly string[]): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

export interface SessionTuning {
  /** Threads for one operator; 0 lets the backend use one per physical core. */
  intraOpThreads: number;
}

export type OpenSession = (file: string, device: Device, tuning: SessionTuning) => Promise<ModelSession>;
