import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GraphSession } from "../../src/runtime/session";

const MODEL_DIR = path.resolve(__dirname, "../../../models/testing/random-tiny");

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

  it("feeds and returns float32 for a float16 graph, converting at the boundary", async () => {
    const half = await open("adapter.fp16.onnx");
    const full = await open("adapter.onnx");
    expect(half.inputs[0]).toMatchObject({ name: "features", type: "float16" });
    const features = Float32Array.from({ length: 2 * 48 }, (_, i) => Math.sin(i));
    const a = await half.run({ features: { data: features, dims: [2, 48] } }, ["text_embeds"]);
    const b = await full.run({ features: { data: features, dims: [2, 48] } }, ["text_embeds"]);
    expect(a.text_embeds.data).toBeInstanceOf(Float32Array);
    expect(a.text_embeds.dims).toEqual([2, 32]);
    const scale = Math.max(...b.text_embeds.data.map(Math.abs));
    const worst = Math.max(...a.text_embeds.data.map((x, i) => Math.abs(x - b.text_embeds.data[i])));
    expect(worst / scale).toBeLessThan(0.02);
  });
});
