// The shipped tiny LLM2CLIP (models/tiny-llm2clip) understands captions when run the way the daemon runs it:
// onnxruntime-node graphs, sharp preprocessing as the manifest declares it, @huggingface/tokenizers with the LLM2Vec
// prompt and masks. 100 held-out test scenes (PNG files of varied sizes), 100-way image -> text retrieval.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MODEL_DIR = path.resolve(__dirname, "../../models/tiny-llm2clip");

interface Manifest {
  embed_dim: number;
  feature_dim: number;
  graphs: Record<"vision" | "llm" | "adapter", { file: string }>;
  image: { size: number; mean: number[]; std: number[]; background: string };
  text: { tokenizer: string; prompt_prefix: string; prompt_suffix: string; bos_token: string; pad_token: string; max_length: number };
  self_check: { image: string; captions: string[] };
}
interface TestsetRow {
  image: string;
  captions: Record<"en_short" | "en_long" | "zh_short" | "zh_long", string[]>;
}

const manifest: Manifest = JSON.parse(readFileSync(path.join(MODEL_DIR, "manifest.json"), "utf8"));
const testset: TestsetRow[] = JSON.parse(readFileSync(path.join(MODEL_DIR, "testset/captions.json"), "utf8"));
const tokenizer = new Tokenizer(JSON.parse(readFileSync(path.join(MODEL_DIR, manifest.text.tokenizer), "utf8")), {});
const sessions: Partial<Record<keyof Manifest["graphs"], ort.InferenceSession>> = {};

function tokenId(token: string): number {
  const ids = tokenizer.encode(token, { add_special_tokens: false }).ids;
  if (ids.length !== 1) throw new Error(`${token} is not a single token`);
  return ids[0];
}

/** pixel_values [B,3,S,S]: alpha onto the background, bicubic shortest-side resize + centre crop, then mean/std. */
async function pixelValues(files: string[]): Promise<ort.Tensor> {
  const { size, mean, std, background } = manifest.image;
  const plane = size * size;
  const data = new Float32Array(files.length * 3 * plane);
  for (const [b, file] of files.entries()) {
    const rgb = await sharp(file).flatten({ background }).resize({ width: size, height: size, fit: "cover", kernel: "cubic" }).raw().toBuffer();
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) data[b * 3 * plane + c * plane + p] = (rgb[p * 3 + c] / 255 - mean[c]) / std[c];
    }
  }
  return new ort.Tensor("float32", data, [files.length, 3, size, size]);
}

/** LLM2Vec: BOS + prefix + caption + suffix, left-padded with pad; embed_mask on caption + suffix only. */
function llmFeeds(captions: string[]): Record<string, ort.Tensor> {
  const { prompt_prefix, prompt_suffix, bos_token, pad_token } = manifest.text;
  const head = [tokenId(bos_token), ...tokenizer.encode(prompt_prefix, { add_special_tokens: false }).ids];
  const rows = captions.map((c) => tokenizer.encode(c.trim() + prompt_suffix, { add_special_tokens: false }).ids);
  const length = Math.max(...rows.map((r) => head.length + r.length));
  const ids = new BigInt64Array(captions.length * length).fill(BigInt(tokenId(pad_token)));
  const attention = new BigInt64Array(captions.length * length);
  const embed = new BigInt64Array(captions.length * length);
  rows.forEach((body, b) => {
    const start = b * length + length - head.length - body.length;
    [...head, ...body].forEach((id, i) => {
      ids[start + i] = BigInt(id);
      attention[start + i] = 1n;
      embed[start + i] = i >= head.length ? 1n : 0n;
    });
  });
  const dims = [captions.length, length];
  return { input_ids: new ort.Tensor("int64", ids, dims), attention_mask: new ort.Tensor("int64", attention, dims), embed_mask: new ort.Tensor("int64", embed, dims) };
}

function normalizedRows(data: Float32Array, width: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let i = 0; i < data.length; i += width) {
    const row = data.slice(i, i + width);
    const norm = Math.hypot(...row);
    rows.push(row.map((x) => x / norm));
  }
  return rows;
}

async function embedImages(files: string[]): Promise<Float32Array[]> {
  const out = await sessions.vision!.run({ pixel_values: await pixelValues(files) });
  return normalizedRows(out.image_embeds.data as Float32Array, manifest.embed_dim);
}

async function embedTexts(captions: string[]): Promise<Float32Array[]> {
  const { features } = await sessions.llm!.run(llmFeeds(captions));
  expect(features.dims).toEqual([captions.length, manifest.feature_dim]);
  const out = await sessions.adapter!.run({ features });
  return normalizedRows(out.text_embeds.data as Float32Array, manifest.embed_dim);
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

/** Fraction of images whose best-scoring caption (among all of the set's) is their own. */
function imageToTextR1(images: Float32Array[], texts: Float32Array[]): number {
  return images.filter((image, i) => argmax(texts.map((t) => dot(image, t))) === i).length / images.length;
}

beforeAll(async () => {
  for (const graph of ["vision", "llm", "adapter"] as const) {
    sessions[graph] = await ort.InferenceSession.create(path.join(MODEL_DIR, manifest.graphs[graph].file));
  }
});
afterAll(async () => {
  for (const session of Object.values(sessions)) await session?.release();
});

describe("shipped tiny LLM2CLIP", () => {
  it("uses a fixed subset of 100 held-out test scenes in PNG files of varied sizes", async () => {
    expect(testset).toHaveLength(100);
    const sizes = await Promise.all(testset.slice(0, 10).map((row) => sharp(path.join(MODEL_DIR, "testset", row.image)).metadata()));
    expect(new Set(sizes.map((m) => `${m.width}x${m.height}`)).size).toBeGreaterThan(5);
  });

  it("retrieves each scene's short English caption among 100 (I2T R@1 >= 0.5)", async () => {
    const images = await embedImages(testset.map((row) => path.join(MODEL_DIR, "testset", row.image)));
    const texts = await embedTexts(testset.map((row) => row.captions.en_short[0]));
    const r1 = imageToTextR1(images, texts);
    console.log(`tiny LLM2CLIP en-short I2T R@1 over 100 test scenes: ${r1.toFixed(2)}`);
    expect(r1).toBeGreaterThanOrEqual(0.5);
  });

  it("passes its own self-check: the right caption scores highest", async () => {
    const [image] = await embedImages([path.join(MODEL_DIR, manifest.self_check.image)]);
    const scores = (await embedTexts(manifest.self_check.captions)).map((t) => dot(image, t));
    expect(manifest.self_check.captions[argmax(scores)]).toBe("a red circle");
  });
});
