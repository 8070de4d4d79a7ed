// The ONNX Runtime half of the GPU check (check.sh): the graphs models/llm2clip/gpu_check.py exported, run through the
// daemon's runtime (GraphSession, a worker thread per session) on the same device, against PyTorch eager's times from
// the same run (the faster of its two attentions). Prints one table; writes results.json beside cases.json.
//
//   node check.cjs <dir with cases.json> [cuda|cpu]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Device, HostTensor } from "../../server/src/model/session";
import { GraphSession } from "../../server/src/runtime/session";

interface ArraySpec {
  file: string;
  dtype: "float32" | "int64";
  shape: number[];
}
type Model = "vision" | "llm";

interface Cases {
  device: string;
  dtype: string;
  torch: string;
  gpu?: string;
  models: Partial<Record<Model, { preset: string; graph: string; layers: number; parity: { inputs: Record<string, ArraySpec>; output: ArraySpec } }>>;
  cases: { model: Model; shape: string; batch: number; length: number; torch_ms: number; torch_sdpa_ms?: number; torch_sdpa_host_input_ms?: number }[];
}

const REPEATS = Number(process.env.REPEATS ?? 20);
const [dir, deviceArg = "cuda"] = process.argv.slice(2);
if (!dir) throw new Error("usage: node check.cjs <dir with cases.json> [cuda|cpu]");
const device = deviceArg as Device;
const cases = JSON.parse(readFileSync(path.join(dir, "cases.json"), "utf8")) as Cases;

function read(spec: ArraySpec): HostTensor {
  const bytes = readFileSync(path.join(dir!, spec.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { data: spec.dtype === "int64" ? new BigInt64Array(buffer) : new Float32Array(buffer), dims: spec.shape };
}

function feeds(model: Model, batch: number, length: number, size: number, vocab: number): Record<string, HostTensor> {
  if (model === "vision") return { pixel_values: { data: Float32Array.from({ length: batch * 3 * size * size }, () => Math.random() * 2 - 1), dims: [batch, 3, size, size] } };
  const ones = () => new BigInt64Array(batch * length).fill(1n);
  const ids = BigInt64Array.from({ length: batch * length }, () => BigInt(Math.floor(Math.random() * vocab)));
  return { input_ids: { data: ids, dims: [batch, length] }, attention_mask: { data: ones(), dims: [batch, length] }, embed_mask: { data: ones(), dims: [batch, length] } };
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

/**
 * Median milliseconds of `run` over REPEATS timed runs after 3 warm-ups. Each run gets its own copy of the inputs,
 * made before the clock starts: the runtime transfers (detaches) the buffers it is given, as the daemon's batcher does.
 */
async function medianMs(inputs: Record<string, HostTensor>, run: (feeds: Record<string, HostTensor>) => Promise<unknown>): Promise<number> {
  const copy = () => Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, { data: t.data.slice(), dims: t.dims }])) as Record<string, HostTensor>;
  for (let i = 0; i < 3; i++) await run(copy());
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const feeds = copy();
    const t0 = performance.now();
    await run(feeds);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const parity: Record<string, number> = {};
  for (const model of Object.keys(cases.models) as Model[]) {
    const info = cases.models[model]!;
    const session = await GraphSession.open(path.join(dir!, info.graph), device);
    try {
      const output = model === "vision" ? "image_embeds" : "features";
      const inputs = Object.fromEntries(Object.entries(info.parity.inputs).map(([name, spec]) => [name, read(spec)]));
      const result = await session.run(inputs, [output]);
      parity[model] = relativeError(result[output]!.data, read(info.parity.output).data as Float32Array);
      const size = model === "vision" ? (session.inputs[0]!.shape[2] as number) : 0;
      for (const c of cases.cases.filter((x) => x.model === model)) {
        // The vocabulary is only needed to draw ids; any id below the smallest real vocabulary (512) is valid.
        const ortMs = await medianMs(feeds(model, c.batch, c.length, size, 512), (inputs) => session.run(inputs, [output]));
        const unit = model === "vision" ? "img/s" : "texts/s";
        const fastestTorchMs = Math.min(c.torch_ms, c.torch_sdpa_ms ?? Infinity);
        rows.push({ model: `${info.preset} (${info.layers} layers)`, shape: c.shape, ortMs, torchMs: c.torch_ms, torchSdpaMs: c.torch_sdpa_ms, ortPerS: (c.batch / ortMs) * 1000, torchPerS: (c.batch / fastestTorchMs) * 1000, unit, speedup: fastestTorchMs / ortMs, hostInputMs: c.torch_sdpa_host_input_ms });
      }
    } finally {
      await session.release();
    }
  }
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    `GPU check: ${cases.gpu ?? "no GPU"}, device ${device}, ${cases.dtype}, torch ${cases.torch}, ${REPEATS} timed runs each (median)`,
    `parity (relative error against torch): ${Object.entries(parity).map(([model, error]) => `${model} ${error.toExponential(2)}`).join(", ")}`,
    "",
    "| model | shape | ORT via runtime ms | torch eager ms | torch eager SDPA ms | torch SDPA, input from host ms | ORT /s | torch /s (faster) | ORT ÷ torch | ORT ÷ torch (input from host) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) => {
      const optional = (ms: unknown, text: (x: number) => string) => (ms === undefined ? "–" : text(ms as number));
      return `| ${r.model} | ${r.shape} | ${f(r.ortMs as number)} | ${f(r.torchMs as number)} | ${optional(r.torchSdpaMs, f)} | ${optional(r.hostInputMs, f)} | ${f(r.ortPerS as number, 1)} ${r.unit} | ${f(r.torchPerS as number, 1)} ${r.unit} | ${f(r.speedup as number)}× | ${optional(r.hostInputMs, (ms) => `${f(ms / (r.ortMs as number))}×`)} |`;
    }),
  ];
  writeFileSync(path.join(dir!, "results.json"), JSON.stringify({ cases, parity, rows, markdown: lines.join("\n") }, null, 2) + "\n");
  console.log(lines.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
