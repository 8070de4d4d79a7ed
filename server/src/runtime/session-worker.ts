// The code one session's worker thread runs. onnxruntime-node runs a graph synchronously on the thread that calls
// `run` (its backend does `setImmediate(() => resolve(session.run(...)))`), so each session lives on its own worker
// and the daemon's event loop only posts tensors and receives results.
//
// The worker is started from source text (`new Worker(GRAPH_SESSION_WORKER_SOURCE, { eval: true })`) so that the same
// code runs from the TypeScript sources under vitest and from the esbuild bundle: the function below must therefore
// reference nothing outside itself; it loads onnxruntime-node from the path the parent resolved.
import type * as ort from "onnxruntime-node";

/** What the parent hands the worker at start. */
export interface GraphWorkerData {
  ortPath: string;
  file: string;
  options: ort.InferenceSession.SessionOptions;
}

export interface WireTensor {
  type: "float32" | "int64";
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface WireTensorInfo {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

export type ToWorker = { kind: "run"; id: number; feeds: Record<string, WireTensor>; outputs: readonly string[] } | { kind: "release" };

export type FromWorker =
  | { kind: "ready"; inputs: WireTensorInfo[]; outputs: WireTensorInfo[] }
  | { kind: "open-failed"; message: string }
  | { kind: "result"; id: number; outputs: Record<string, WireTensor> }
  | { kind: "run-failed"; id: number; message: string }
  | { kind: "released" };

function graphSessionWorker(): void {
  const { parentPort, workerData } = require("node:worker_threads") as typeof import("node:worker_threads");
  const data = workerData as GraphWorkerData;
  const runtime = require(data.ortPath) as typeof ort;
  const port = parentPort!;
  const describe = (metadata: readonly ort.InferenceSession.ValueMetadata[]): WireTensorInfo[] =>
    metadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: "non-tensor", shape: [] }));
  const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

  runtime.InferenceSession.create(data.file, data.options).then(
    (session) => {
      port.postMessage({ kind: "ready", inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) } satisfies FromWorker);
      port.on("message", async (message: ToWorker) => {
        if (message.kind === "release") {
          await session.release();
          port.postMessage({ kind: "released" } satisfies FromWorker);
          port.close();
          return;
        }
        try {
          const feeds: Record<string, ort.Tensor> = {};
          for (const [name, tensor] of Object.entries(message.feeds)) feeds[name] = new runtime.Tensor(tensor.type, tensor.data, tensor.dims);
          const results = await session.run(feeds, message.outputs as string[]);
          const outputs: Record<string, WireTensor> = {};
          const transfer = new Set<ArrayBuffer>();
          for (const name of message.outputs) {
            const tensor = results[name];
            if (tensor.type !== "float32") throw new Error(`output ${name} is ${tensor.type}; the graph contract wants float32`);
            const values = tensor.data as Float32Array;
            outputs[name] = { type: "float32", data: values, dims: tensor.dims };
            transfer.add(values.buffer as ArrayBuffer);
          }
          port.postMessage({ kind: "result", id: message.id, outputs } satisfies FromWorker, [...transfer]);
        } catch (err) {
          port.postMessage({ kind: "run-failed", id: message.id, message: messageOf(err) } satisfies FromWorker);
        }
      });
    },
    (err: unknown) => {
      port.postMessage({ kind: "open-failed", message: messageOf(err) } satisfies FromWorker);
      port.close();
    },
  );
}

export const GRAPH_SESSION_WORKER_SOURCE = `(${graphSessionWorker.toString()})()`;
