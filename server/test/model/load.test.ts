// End to end over the random-weight test model (models/testing/random-tiny): real ONNX graphs, real SQLite.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { type LoadOptions, loadModel } from "../../src/model/load";
import type { OnnxLlm2ClipModel } from "../../src/model/llm2clip-model";

const MODEL_DIR = path.resolve(__dirname, "../../../models/testing/random-tiny");
const quiet = { info: () => {}, warn: () => {} };
const scratch = mkdtempSync(path.join(tmpdir(), "llm2clip-load-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));

const solidPng = (r: number, g: number, b: number, width = 40, height = 30) =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();

async function failure(promise: Promise<unknown>): Promise<Llm2ClipError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Llm2ClipError);
  return error as Llm2ClipError;
}

/** A copy of the test model whose manifest (and files) a test may break. */
function copyModel(edit: (manifest: Record<string, any>, dir: string) => void): string {
  const dir = mkdtempSync(path.join(scratch, "model-"));
  cpSync(MODEL_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  edit(manifest, dir);
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

const load = (dir: string, options: LoadOptions = {}) => loadModel(dir, { device: "cpu", log: quiet, ...options });

describe("loadModel on random-tiny", () => {
  let model: OnnxLlm2ClipModel;
  beforeAll(async () => {
    model = await load(MODEL_DIR);
  });
  afterAll(() => model.close());

  it("describes the model from its manifest", () => {
    expect(model.info).toMatchObject({
      name: "random-tiny",
      dir: MODEL_DIR,
      embedDim: 32,
      featureDim: 48,
      imageSize: 32,
      maxTokens: 64,
      logitScale: 100,
      device: "cpu",
      precision: "float32",
      altTextThresholds: { good: 0.3, mismatch: 0.2 },
      captionBankPath: path.join(MODEL_DIR, "caption_bank.json"),
    });
    expect(model.info.selfCheck?.captions).toEqual(["a diagram", "a red circle", "a blue square"]);
  });

  it("embeds an image into a unit vector of embed_dim, and reports its decoded size", async () => {
    const result = await model.embedImage(await solidPng(200, 30, 30, 120, 80));
    expect(result.embedding).toBeInstanceOf(Float32Array);
    expect(result.embedding).toHaveLength(32);
    expect(norm(result.embedding)).toBeCloseTo(1, 5);
    expect([result.width, result.height]).toEqual([120, 80]);
    const other = await model.embedImage(await solidPng(30, 30, 200));
    expect(maxDiff(result.embedding, other.embedding)).toBeGreaterThan(1e-3);
  });

  it("embeds a caption into a unit vector, with the LLM's features and token count", async () => {
    const result = await model.embedText("a large blue star at the top-left");
    expect(result.embedding).toHaveLength(32);
    expect(norm(result.embedding)).toBeCloseTo(1, 5);
    expect(result.features).toHaveLength(48);
    expect(norm(result.features)).toBeGreaterThan(0);
    expect(result.truncated).toBe(false);
    expect(result.tokenCount).toBeGreaterThan(8);
    expect(result.tokenCount).toBeLessThanOrEqual(64);
  });

  it("never runs the LLM again for a repeated caption; only the adapter runs", async () => {
    const before = model.stats();
    const first = await model.embedText("three green hexagons on a pink background");
    const afterFirst = model.stats();
    expect(first.cached).toBe(false);
    expect(afterFirst.rows.llm).toBe(before.rows.llm + 1);
    // random-tiny follows llm2vec's whitespace rule: trailing whitespace is stripped, leading whitespace is kept.
    for (const variant of ["three green hexagons on a pink background", "three green hexagons on a pink background \n"]) {
      const again = await model.embedText(variant);
      expect(again.cached).toBe(true);
      expect(Array.from(again.embedding)).toEqual(Array.from(first.embedding));
      expect(Array.from(again.features)).toEqual(Array.from(first.features));
    }
    const after = model.stats();
    expect(after.rows.llm).toBe(afterFirst.rows.llm);
    expect(after.rows.adapter).toBe(afterFirst.rows.adapter + 2);
    expect(after.textCacheHits).toBe(afterFirst.textCacheHits + 2);
    expect((await model.embedText(" three green hexagons on a pink background")).cached).toBe(false);
  });

  it("cuts a caption longer than max_length by words and says so", async () => {
    const long = Array.from({ length: 120 }, (_, i) => (i % 2 ? "red" : "circle")).join(" ");
    const result = await model.embedText(long);
    expect(result.truncated).toBe(true);
    expect(result.tokenCount).toBeLessThanOrEqual(64);
    expect(norm(result.embedding)).toBeCloseTo(1, 5);
  });

  it("rejects bad input with invalid_argument naming the field, and keeps serving", async () => {
    const empty = await failure(model.embedText("  \n "));
    expect(empty).toMatchObject({ kind: "invalid_argument", field: "text" });
    const corrupt = await failure(model.embedImage(new Uint8Array([1, 2, 3, 4, 5])));
    expect(corrupt).toMatchObject({ kind: "invalid_argument", field: "image" });
    expect(corrupt.message).toMatch(/^image: cannot be decoded/);
    expect((await model.embedText("a dog")).embedding).toHaveLength(32);
    expect((await model.embedImage(await solidPng(1, 2, 3))).embedding).toHaveLength(32);
  });

  it("drops work whose signal is aborted before it starts", async () => {
    const before = model.stats();
    const controller = new AbortController();
    controller.abort();
    expect(await failure(model.embedText("a never-seen caption about a brown cross", controller.signal))).toMatchObject({
      kind: "cancelled",
    });
    expect(await failure(model.embedImage(await solidPng(9, 9, 9), controller.signal))).toMatchObject({ kind: "cancelled" });
    const after = model.stats();
    expect(after.rows).toEqual(before.rows);
  });
});

describe("batching on random-tiny", () => {
  it("gives each of 50 concurrent callers its own result, equal to an unbatched run", async () => {
    const batched = await load(MODEL_DIR, { batching: { llm: { maxBatch: 8, maxWaitMs: 5 }, vision: { maxBatch: 8, maxWaitMs: 5 } } });
    const single = await load(MODEL_DIR, { batching: { llm: { maxBatch: 1 }, vision: { maxBatch: 1 }, adapter: { maxBatch: 1 } } });
    try {
      // Captions of different lengths, so that the LLM batches are left-padded.
      const captions = Array.from({ length: 50 }, (_, i) => `caption ${i}: ${"a small red circle ".repeat(1 + (i % 5))}`.trim());
      const concurrent = await Promise.all(captions.map((c) => batched.embedText(c)));
      const texts = batched.stats();
      expect(texts.rows.llm).toBe(50);
      expect(texts.batches.llm).toBeLessThan(50);
      for (const [i, caption] of captions.entries()) {
        const alone = await single.embedText(caption);
        expect(maxDiff(concurrent[i].features, alone.features)).toBeLessThan(1e-4);
        expect(maxDiff(concurrent[i].embedding, alone.embedding)).toBeLessThan(1e-4);
      }

      const images = await Promise.all(Array.from({ length: 50 }, (_, i) => solidPng((i * 5) % 256, (i * 37) % 256, 255 - i * 3, 20 + i, 30)));
      const embedded = await Promise.all(images.map((png) => batched.embedImage(png)));
      expect(batched.stats().batches.vision).toBeLessThan(50);
      for (const [i, png] of images.entries()) {
        expect(embedded[i].width).toBe(20 + i);
        expect(maxDiff(embedded[i].embedding, (await single.embedImage(png)).embedding)).toBeLessThan(1e-5);
      }
    } finally {
      await batched.close();
      await single.close();
    }
  });

  it("answers resource_exhausted with a retry hint when a graph's queue is full", async () => {
    const model = await load(MODEL_DIR, { batching: { llm: { maxBatch: 1, maxWaitMs: 0, maxQueue: 2 } } });
    try {
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => model.embedText(`queue test ${i}`)));
      // All twelve arrive in one tick, before any batch starts: the queue admits two.
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
      expect(refused).toHaveLength(10);
      for (const error of refused) {
        expect(error).toBeInstanceOf(Llm2ClipError);
        expect(error).toMatchObject({ kind: "resource_exhausted" });
        expect(error.message).toContain("llm queue is full (maxQueue 2");
        expect(error.retryAfterMs).toBeGreaterThan(0);
      }
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
      expect((await model.embedText("after the burst")).embedding).toHaveLength(32);
    } finally {
      await model.close();
    }
  });
});

describe("the persistent text-feature cache", () => {
  it("survives a restart: a cached caption does not run the LLM after reopening", async () => {
    const cacheDir = mkdtempSync(path.join(scratch, "cache-"));
    const first = await load(MODEL_DIR, { cacheDir });
    const original = await first.embedText("a purple heart at the bottom-right");
    expect(original.cached).toBe(false);
    await first.close();

    const second = await load(MODEL_DIR, { cacheDir });
    try {
      const again = await second.embedText("a purple heart at the bottom-right");
      expect(again.cached).toBe(true);
      expect(second.stats().rows.llm).toBe(0);
      expect(Array.from(again.features)).toEqual(Array.from(original.features));
      expect(maxDiff(again.embedding, original.embedding)).toBeLessThan(1e-6);
      expect(again.tokenCount).toBe(original.tokenCount);
    } finally {
      await second.close();
    }
  });

  it("keys features by the model: another LLM file does not see them", async () => {
    const cacheDir = mkdtempSync(path.join(scratch, "cache-"));
    const fp32 = await load(MODEL_DIR, { cacheDir });
    await fp32.embedText("a cyan diamond");
    await fp32.close();
    const fp16Dir = copyModel((m) => {
      m.graphs.llm = { file: "llm.fp16.onnx", dtype: "float16" };
    });
    const fp16 = await load(fp16Dir, { cacheDir });
    try {
      expect((await fp16.embedText("a cyan diamond")).cached).toBe(false);
    } finally {
      await fp16.close();
    }
  });
});

describe("float16 graphs", () => {
  it("runs float16 files, which cast their float32 I/O inside, close to the float32 model", async () => {
    const dir = copyModel((m) => {
      for (const g of ["vision", "llm", "adapter"]) m.graphs[g] = { file: `${g}.fp16.onnx`, dtype: "float16" };
    });
    const half = await load(dir);
    const full = await load(MODEL_DIR);
    try {
      expect(half.info.precision).toBe("float16");
      const png = await solidPng(250, 120, 10);
      const a = await half.embedImage(png);
      const b = await full.embedImage(png);
      expect(a.embedding).toBeInstanceOf(Float32Array);
      expect(cosine(a.embedding, b.embedding)).toBeGreaterThan(0.99);
      const t = await half.embedText("a small orange triangle");
      const u = await full.embedText("a small orange triangle");
      expect(cosine(t.features, u.features)).toBeGreaterThan(0.99);
      expect(cosine(t.embedding, u.embedding)).toBeGreaterThan(0.99);
    } finally {
      await half.close();
      await full.close();
    }
  });
});

describe("devices", () => {
  it("refuses --device cuda clearly where onnxruntime-node has no CUDA provider", async () => {
    const error = await failure(loadModel(MODEL_DIR, { device: "cuda", log: quiet }));
    expect(error).toMatchObject({ kind: "failed_precondition", field: "device" });
    expect(error.message).toMatch(/^device cuda: the CUDA execution provider is unavailable: .*npm run setup:cuda/);
  });

  it("falls back from auto to the CPU and logs why", async () => {
    const lines: string[] = [];
    const model = await loadModel(MODEL_DIR, { device: "auto", log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) } });
    await model.close();
    expect(model.info.device).toBe("cpu");
    expect(lines.some((l) => /^device auto: using the CPU, since .*CUDA/.test(l))).toBe(true);
  });
});

describe("manifest validation", () => {
  const broken = async (edit: (manifest: Record<string, any>, dir: string) => void) => {
    const error = await failure(load(copyModel(edit)));
    expect(error.kind).toBe("failed_precondition");
    return error;
  };

  it("names a missing graph file", async () => {
    const error = await broken((_, dir) => rmSync(path.join(dir, "vision.onnx")));
    expect(error.message).toMatch(/manifest\.json: graphs\.vision\.file: vision\.onnx does not exist$/);
    expect(error.field).toBe("graphs.vision.file");
  });

  it("names a missing tokenizer, variant and self-check image", async () => {
    expect((await broken((_, dir) => rmSync(path.join(dir, "tokenizer.json")))).message).toMatch(
      /text\.tokenizer: tokenizer\.json does not exist$/,
    );
    expect((await broken((_, dir) => rmSync(path.join(dir, "llm.fp16.onnx")))).message).toMatch(
      /graphs\.llm\.variants\.float16: llm\.fp16\.onnx does not exist$/,
    );
    expect((await broken((_, dir) => rmSync(path.join(dir, "samples"), { recursive: true }))).message).toMatch(
      /self_check\.image: samples\/self-check\.png does not exist$/,
    );
  });

  it("names a dtype that is not a float type, and refuses a graph with float16 I/O", async () => {
    expect((await broken((m) => (m.graphs.adapter.dtype = "int8"))).message).toMatch(
      /graphs\.adapter\.dtype: "int8" is not one of float32, float16$/,
    );
    // An export from before the casts moved into the graph: its floating I/O is float16.
    const halfIo = await broken((m, dir) => {
      m.graphs.adapter = { file: "adapter.half-io.onnx", dtype: "float16" };
      const script = [
        "import sys, onnx",
        "from onnx import helper, TensorProto",
        "x = helper.make_tensor_value_info('features', TensorProto.FLOAT16, ['batch', 48])",
        "y = helper.make_tensor_value_info('text_embeds', TensorProto.FLOAT16, ['batch', 48])",
        "g = helper.make_graph([helper.make_node('Identity', ['features'], ['text_embeds'])], 'adapter', [x], [y])",
        "m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]); m.ir_version = 8",
        "onnx.save(m, sys.argv[1])",
      ].join("\n");
      execFileSync("/usr/bin/python3", ["-c", script, path.join(dir, "adapter.half-io.onnx")]);
    });
    expect(halfIo.field).toBe("graphs.adapter.file");
    expect(halfIo.message).toMatch(
      /graphs\.adapter\.file: adapter\.half-io\.onnx: input features is float16; graphs take and give float32 whatever their precision \(a float16 graph casts inside\), so re-export it with models\/llm2clip$/,
    );
  });

  it("names dims that do not chain between the graphs and the manifest", async () => {
    const embed = await broken((m) => (m.embed_dim = 64));
    expect(embed.message).toMatch(/graphs\.vision\.file: vision\.onnx: output image_embeds has shape \[batch, 32\]: axis 1 is 32, but embed_dim is 64$/);
    const feature = await broken((m) => (m.feature_dim = 40));
    expect(feature.message).toMatch(/graphs\.llm\.file: llm\.onnx: output features has shape \[batch, 48\]: axis 1 is 48, but feature_dim is 40$/);
    const size = await broken((m) => (m.image.size = 64));
    expect(size.message).toMatch(/graphs\.vision\.file: vision\.onnx: input pixel_values has shape \[batch, 3, 32, 32\]: axis 2 is 32, but image\.size is 64$/);
    // The adapter of another model: its F and D chain with neither graph here.
    const swapped = await broken((_, dir) => cpSync(path.join(dir, "vision.onnx"), path.join(dir, "adapter.onnx")));
    expect(swapped.message).toMatch(/graphs\.adapter\.file: adapter\.onnx: has inputs the contract does not feed: pixel_values$/);
  });

  it("probes graphs whose metadata leaves the output width symbolic, and names the dim that does not chain", async () => {
    // An adapter that maps F=48 to 16 (not D=32), declaring its output width only as a symbol.
    const error = await broken((_, dir) => {
      const script = [
        "import sys, numpy as np, onnx",
        "from onnx import helper, numpy_helper, TensorProto",
        "w = numpy_helper.from_array(np.ones((48, 16), dtype=np.float32), 'w')",
        "x = helper.make_tensor_value_info('features', TensorProto.FLOAT, ['batch', 48])",
        "y = helper.make_tensor_value_info('text_embeds', TensorProto.FLOAT, ['batch', 'width'])",
        // Reshape to a shape computed at run time hides the width from ORT's shape inference.
        "minus_one = numpy_helper.from_array(np.array([-1], dtype=np.int64), 'minus_one')",
        "nodes = [helper.make_node('MatMul', ['features', 'w'], ['projected']),",
        "         helper.make_node('Shape', ['features'], ['shape'], start=0, end=1),",
        "         helper.make_node('Concat', ['shape', 'minus_one'], ['target'], axis=0),",
        "         helper.make_node('Reshape', ['projected', 'target'], ['text_embeds'])]",
        "g = helper.make_graph(nodes, 'adapter', [x], [y], [w, minus_one])",
        "m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]); m.ir_version = 8",
        "onnx.save(m, sys.argv[1])",
      ].join("\n");
      execFileSync("/usr/bin/python3", ["-c", script, path.join(dir, "adapter.onnx")]);
    });
    expect(error.field).toBe("embed_dim");
    expect(error.message).toMatch(/: embed_dim: adapter\.onnx gave text_embeds of shape \[1, 16\] for one input, but embed_dim is 32$/);
  });

  it("names a file ONNX Runtime cannot load", async () => {
    const error = await broken((_, dir) => writeFileSync(path.join(dir, "llm.onnx"), "not an onnx model"));
    expect(error.message).toMatch(/graphs\.llm\.file: llm\.onnx cannot be loaded by ONNX Runtime: /);
  });

  it("names bad fields of the manifest itself", async () => {
    expect((await broken((m) => (m.format = "llm2clip-model/9"))).message).toMatch(/: format: "llm2clip-model\/9" is not "llm2clip-model\/1"$/);
    expect((await broken((m) => delete m.embed_dim)).message).toMatch(/: embed_dim: is missing$/);
    expect((await broken((m) => (m.image.background = "white"))).message).toMatch(/image\.background: "white" is not a #rrggbb colour$/);
    expect((await broken((m) => (m.image.std = [0.2, 0, 0.2]))).message).toMatch(/image\.std: must be 3 positive numbers/);
    expect((await broken((m) => (m.text.padding_side = "right"))).message).toMatch(/text\.padding_side: "right" is not one of left$/);
    expect((await broken((m) => (m.text.bos_token = "<s>"))).message).toMatch(/text\.bos_token: "<s>" is not a token of the tokenizer$/);
    expect((await broken((m) => (m.text.max_length = 4))).message).toMatch(/text\.max_length: 4 tokens leave no room for a caption/);
    expect((await broken((m) => (m.text.caption_handling = "trim"))).message).toMatch(
      /text\.caption_handling: "trim" is not one of llm2vec, whole_words$/,
    );
    expect((await broken((m) => (m.image.alpha = "white"))).message).toMatch(/image\.alpha: "white" is not one of drop, composite$/);
    expect((await broken((m) => (m.image.resize_rounding = "round"))).message).toMatch(
      /image\.resize_rounding: "round" is not one of floor, half_even$/,
    );
  });

  it("reads the domain's outside captions when there are any, and names a bad list", async () => {
    const withDomain = (outsideCaptions?: unknown) => (m: Record<string, any>, dir: string) => {
      mkdirSync(path.join(dir, "domain"));
      for (let i = 0; i < 8; i++) copyFileSync(path.join(dir, "samples", "self-check.png"), path.join(dir, "domain", `${i}.png`));
      m.domain = { description: "red circles", images: "domain", ...(outsideCaptions !== undefined && { outside_captions: outsideCaptions }) };
    };
    expect((await broken(withDomain(["a screenshot", " "]))).message).toMatch(
      /domain\.outside_captions: must be a non-empty list of non-empty strings$/,
    );
    for (const [outside, expected] of [[["a screenshot"], ["a screenshot"]], [undefined, []]] as const) {
      const model = await load(copyModel(withDomain(outside)));
      expect(model.info.domain?.outsideCaptions).toEqual(expected);
      await model.close();
    }
  });

  it("says when a folder has no manifest or an unreadable one", async () => {
    const empty = mkdtempSync(path.join(scratch, "empty-"));
    const missing = await failure(load(empty));
    expect(missing).toMatchObject({ kind: "failed_precondition", field: "manifest.json" });
    expect(missing.message).toBe(`${path.join(empty, "manifest.json")} does not exist: ${empty} is not a model folder`);
    const dir = copyModel(() => {});
    writeFileSync(path.join(dir, "manifest.json"), "{ not json");
    expect((await failure(load(dir))).message).toMatch(/manifest\.json: \(root\): not valid JSON/);
  });
});
