import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { GraphSession } from "../../src/runtime/session";

const SERVER_DIR = path.resolve(__dirname, "../..");
const MODEL_DIR = path.resolve(SERVER_DIR, "../models/testing/random-tiny");

describe("GraphSession", () => {
  const opened: GraphSession[] = [];
  afterAll(() => Promise.all(opened.map((s) => s.release())));
  const open = async (file: string) => {
    const session = await GraphSession.open(path.join(MODEL_DIR, file), "cpu");
    opened.push(session);
    return session;
  };

  it("reports the graph's inputs and outputs as ORT sees them", async () => {
    const llm = await open("llm.onnx");
    expect(llm.inputs.map((i) => [i.name, i.type])).toEqual([
      ["input_ids", "int64"],
      ["attention_mask", "int64"],
      ["embed_mask", "int64"],
    ]);
    expect(llm.outputs).toEqual([{ name: "features", type: "float32", shape: ["batch", 48] }]);
  });

  it("runs a float16 graph on float32 tensors: the casts are inside the graph", async () => {
    const half = await open("adapter.fp16.onnx");
    const full = await open("adapter.onnx");
    expect(half.inputs[0]).toMatchObject({ name: "features", type: "float32" });
    expect(half.outputs[0]).toMatchObject({ name: "text_embeds", type: "float32" });
    const features = () => Float32Array.from({ length: 2 * 48 }, (_, i) => Math.sin(i));
    const a = await half.run({ features: { data: features(), dims: [2, 48] } }, ["text_embeds"]);
    const b = await full.run({ features: { data: features(), dims: [2, 48] } }, ["text_embeds"]);
    expect(a.text_embeds.data).toBeInstanceOf(Float32Array);
    expect(a.text_embeds.dims).toEqual([2, 32]);
    const scale = Math.max(...b.text_embeds.data.map(Math.abs));
    const worst = Math.max(...a.text_embeds.data.map((x, i) => Math.abs(x - b.text_embeds.data[i])));
    expect(worst / scale).toBeLessThan(0.02);
  });

  it("moves whole feed buffers to the worker and copies views on part of a buffer", async () => {
    const adapter = await open("adapter.onnx");
    const whole = Float32Array.from({ length: 48 }, (_, i) => Math.cos(i));
    const backing = new Float32Array(96).fill(0.5);
    const view = backing.subarray(48);
    const fromWhole = await adapter.run({ features: { data: whole, dims: [1, 48] } }, ["text_embeds"]);
    expect(whole.byteLength).toBe(0);
    const fromView = await adapter.run({ features: { data: view, dims: [1, 48] } }, ["text_embeds"]);
    expect(backing.length).toBe(96);
    expect(Array.from(backing)).toEqual(new Array(96).fill(0.5));
    expect(fromWhole.text_embeds.data).not.toEqual(fromView.text_embeds.data);
  });

  it("keeps the event loop free while a long run executes in its worker", async () => {
    const vision = await open("vision.onnx");
    const batch = 1024;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    const out = await vision.run({ pixel_values: { data: new Float32Array(batch * 3 * 32 * 32), dims: [batch, 3, 32, 32] } }, ["image_embeds"]);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(out.image_embeds.dims).toEqual([batch, 32]);
    // A run on the event loop's own thread would let at most one or two ticks through, whatever its length.
    expect(elapsed).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 5 / 4));
  });

  it("rejects a run whose feeds the graph refuses, and keeps serving", async () => {
    const adapter = await open("adapter.onnx");
    await expect(adapter.run({ features: { data: new Float32Array(47), dims: [1, 47] } }, ["text_embeds"])).rejects.toThrow(/features|dim/i);
    const ok = await adapter.run({ features: { data: new Float32Array(48), dims: [1, 48] } }, ["text_embeds"]);
    expect(ok.text_embeds.dims).toEqual([1, 32]);
  });

  it("fails to open a file that is not a graph, naming the error", async () => {
    await expect(GraphSession.open(path.join(MODEL_DIR, "manifest.json"), "cpu")).rejects.toThrow(/protobuf|parse|load/i);
  });
});

describe("GraphSession workers and the process", () => {
  const scratch = mkdtempSync(path.join((mkdirSync(path.join(SERVER_DIR, "dist"), { recursive: true }), path.join(SERVER_DIR, "dist")), ".test-session-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("lets a process exit with a session still open and idle", async () => {
    const entry = path.join(scratch, "entry.ts");
    writeFileSync(
      entry,
      `import { GraphSession } from ${JSON.stringify(path.join(SERVER_DIR, "src/runtime/session"))};
GraphSession.open(${JSON.stringify(path.join(MODEL_DIR, "adapter.onnx"))}, "cpu")
  .then((s) => s.run({ features: { data: new Float32Array(48), dims: [1, 48] } }, ["text_embeds"]))
  .then((out) => console.log("ran", out.text_embeds.dims.join("x")));
`,
    );
    const bundle = path.join(scratch, "entry.js");
    await build({ entryPoints: [entry], outfile: bundle, bundle: true, platform: "node", format: "cjs", external: ["onnxruntime-node"], logLevel: "error" });
    const run = spawnSync(process.execPath, [bundle], { encoding: "utf8", timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain("ran 1x32");
    expect(run.status).toBe(0);
  });
});
