// The exporter's graphs, run by onnxruntime-node, against the torch modules they came from (models/llm2clip).
// Python writes random tiny graphs of each kind plus torch's outputs on fixed inputs; here ORT runs the same inputs.
// The vision and llm graphs carry fused attention (com.microsoft MultiHeadAttention, run by ORT's CPU provider here),
// in float32 and float16; the plain export (torch's own attention ops) is checked too.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO_ROOT = path.resolve(__dirname, "../..");
const FLOAT32_TOLERANCE = 1e-4;
// float16 rounds weights and activations to ~1e-3 relative; these two-layer graphs measured 0.7e-3 to 2.5e-3.
const FLOAT16_TOLERANCE = 1e-2;

interface ArraySpec {
  file: string;
  dtype: "float32" | "int64";
  shape: number[];
}
interface Case {
  inputs: Record<string, ArraySpec>;
  outputs: Record<string, ArraySpec>;
}
type FileKey = "file" | "float16_file" | "plain_file";
interface Fixture {
  graphs: Record<
    "vision" | "llm" | "adapter",
    Record<FileKey, string> & { cases: Case[]; attention_layers: number; fused_attention_nodes: Record<FileKey, number> }
  >;
}

const dir = mkdtempSync(path.join(os.tmpdir(), "export-parity-"));
let fixture: Fixture;

beforeAll(() => {
  const run = spawnSync("/usr/bin/python3", ["-m", "llm2clip.parity_fixture", dir, "--seed", "0"], {
    cwd: path.join(REPO_ROOT, "models"),
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`parity_fixture failed (${run.status}):\n${run.stderr}`);
  fixture = JSON.parse(readFileSync(path.join(dir, "fixture.json"), "utf8"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(spec: ArraySpec): Float32Array | BigInt64Array {
  const bytes = readFileSync(path.join(dir, spec.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return spec.dtype === "int64" ? new BigInt64Array(buffer) : new Float32Array(buffer);
}

function tensor(spec: ArraySpec): ort.Tensor {
  const data = read(spec);
  return data instanceof BigInt64Array ? new ort.Tensor("int64", data, spec.shape) : new ort.Tensor("float32", data, spec.shape);
}

/** max |actual - expected| / max |expected| */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

async function runCases(graph: keyof Fixture["graphs"], file: FileKey): Promise<number[]> {
  const entry = fixture.graphs[graph];
  const session = await ort.InferenceSession.create(path.join(dir, entry[file]));
  const errors: number[] = [];
  try {
    for (const testCase of entry.cases) {
      const feeds = Object.fromEntries(Object.entries(testCase.inputs).map(([name, spec]) => [name, tensor(spec)]));
      const results = await session.run(feeds);
      for (const [name, spec] of Object.entries(testCase.outputs)) {
        const output = results[name];
        expect(output.dims).toEqual(spec.shape);
        // float16 graphs too: their casts are inside the graph.
        expect(output.type).toBe("float32");
        errors.push(relativeError(output.data as Float32Array, read(spec) as Float32Array));
      }
    }
  } finally {
    await session.release();
  }
  return errors;
}

describe.each(["vision", "llm", "adapter"] as const)("exported %s graph", (graph) => {
  it("matches torch in float32 within 1e-4 relative error, at untraced batch and sequence sizes", async () => {
    const errors = await runCases(graph, "file");
    expect(errors.length).toBe(fixture.graphs[graph].cases.length);
    for (const error of errors) expect(error).toBeLessThanOrEqual(FLOAT32_TOLERANCE);
  });

  it("matches torch in float16 within 1e-2 relative error", async () => {
    const errors = await runCases(graph, "float16_file");
    for (const error of errors) expect(error).toBeLessThanOrEqual(FLOAT16_TOLERANCE);
  });

  it("matches torch in float32 with the plain attention export too", async () => {
    const errors = await runCases(graph, "plain_file");
    for (const error of errors) expect(error).toBeLessThanOrEqual(FLOAT32_TOLERANCE);
  });

  it("has one fused attention node per layer in both precisions, and none in the plain export", () => {
    const entry = fixture.graphs[graph];
    expect(entry.fused_attention_nodes).toEqual({ file: entry.attention_layers, float16_file: entry.attention_layers, plain_file: 0 });
    if (graph !== "adapter") expect(entry.attention_layers).toBeGreaterThan(0);
  });
});
