// The shipped tiny LLM2CLIP (models/tiny-llm2clip) understands captions when the daemon's runtime serves it
// (loadModel: manifest, preprocessing, LLM2Vec tokenisation, onnxruntime-node on the CPU). 100 held-out test scenes,
// PNG files of varied sizes, 100-way image -> text retrieval with their short English and Chinese captions.
//
// Each quality figure has two fixed numbers: a regression floor just under what the shipped model measures here (it
// must pass), and issue 10's target. A target the model misses is asserted with `it.fails` (green while missed, red
// once met, so that whoever reaches it raises the floor and turns the target into a plain test); the model of issue
// 10's second round meets both targets here, so both are plain tests.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../server/src/model/load";
import type { Llm2ClipModel } from "../../server/src/model/types";

const MODEL_DIR = path.resolve(__dirname, "../../models/tiny-llm2clip");
/** What `npm run model:eval` measured on the whole 1,000-scene test split (Python, PyTorch). */
const EVAL_FILE = path.join(MODEL_DIR, "eval.json");

interface TestsetRow {
  image: string;
  captions: Record<"en_short" | "en_long" | "zh_short" | "zh_long", string[]>;
}

const testset: TestsetRow[] = JSON.parse(readFileSync(path.join(MODEL_DIR, "testset/captions.json"), "utf8"));
let model: Llm2ClipModel;

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

async function embedImages(files: string[]): Promise<Float32Array[]> {
  return Promise.all(files.map(async (file) => (await model.embedImage(readFileSync(file))).embedding));
}

async function embedTexts(captions: string[]): Promise<Float32Array[]> {
  return Promise.all(captions.map(async (caption) => (await model.embedText(caption)).embedding));
}

type Kind = keyof TestsetRow["captions"];

/**
 * Regression floors, just under the shipped model's figures over these 100 scenes through this runtime (en-short
 * 0.92, zh-short 0.86; issue 3's model: 0.47 and 0.01).
 */
const FLOOR = { en_short: 0.88, zh_short: 0.82 } satisfies Partial<Record<Kind, number>>;
/** Issue 10's targets (measured there on an out-of-distribution split; this in-distribution subset is the easier test). */
const TARGET = { en_short: 0.85, zh_short: 0.6 } satisfies Partial<Record<Kind, number>>;

let images: Promise<Float32Array[]> | undefined;
const recall = new Map<Kind, Promise<number>>();
/** I2T R@1 over the 100 scenes with each scene's first caption of `kind`, computed once per kind. */
function imageToTextR1Of(kind: Kind): Promise<number> {
  images ??= embedImages(testset.map((row) => path.join(MODEL_DIR, "testset", row.image)));
  if (!recall.has(kind)) {
    recall.set(kind, (async () => imageToTextR1(await images!, await embedTexts(testset.map((row) => row.captions[kind][0]))))());
  }
  return recall.get(kind)!;
}

function recordedEnShortR1(): number {
  const evaluation = JSON.parse(readFileSync(EVAL_FILE, "utf8")) as Record<string, { en_short: { i2t_r1: number } }>;
  const row = evaluation["tiny LLM2CLIP"];
  if (!row) throw new Error(`${EVAL_FILE} has no 'tiny LLM2CLIP' row: run npm run model:eval`);
  return row.en_short.i2t_r1;
}

/** Fraction of images whose best-scoring caption (among all of the set's) is their own. */
function imageToTextR1(images: Float32Array[], texts: Float32Array[]): number {
  return images.filter((image, i) => argmax(texts.map((t) => dot(image, t))) === i).length / images.length;
}

beforeAll(async () => {
  model = await loadModel(MODEL_DIR, { device: "cpu", log: { info: () => {}, warn: () => {} } });
});
afterAll(async () => {
  await model?.close();
});

describe("shipped tiny LLM2CLIP through the daemon's runtime", () => {
  it("uses a fixed subset of 100 held-out test scenes in PNG files of varied sizes", async () => {
    expect(testset).toHaveLength(100);
    const images = await Promise.all(testset.slice(0, 10).map((row) => model.embedImage(readFileSync(path.join(MODEL_DIR, "testset", row.image)))));
    expect(new Set(images.map((m) => `${m.width}x${m.height}`)).size).toBeGreaterThan(5);
  });

  it("reproduces the Python evaluation's en-short I2T R@1 through the daemon's runtime", async () => {
    const r1 = await imageToTextR1Of("en_short");
    console.log(`tiny LLM2CLIP en-short I2T R@1 over 100 test scenes: ${r1.toFixed(2)} (Python, 1,000 scenes: ${recordedEnShortR1().toFixed(3)})`);
    // 100 scenes of the 1000 the evaluation used: a standard error of about 0.05 on R@1. A drift in preprocessing or
    // tokenisation between training and serving costs far more than the tolerance (chance is 0.01).
    expect(Math.abs(r1 - recordedEnShortR1())).toBeLessThanOrEqual(0.12);
  });

  for (const kind of ["en_short", "zh_short"] as const) {
    it(`retrieves each scene's ${kind} caption among 100 at least as well as when shipped (I2T R@1 >= ${FLOOR[kind]})`, async () => {
      const r1 = await imageToTextR1Of(kind);
      console.log(`tiny LLM2CLIP ${kind} I2T R@1 over 100 test scenes: ${r1.toFixed(2)}`);
      expect(r1).toBeGreaterThanOrEqual(FLOOR[kind]);
    });
    it(`meets issue 10's ${kind} target (I2T R@1 >= ${TARGET[kind]})`, async () => {
      expect(await imageToTextR1Of(kind)).toBeGreaterThanOrEqual(TARGET[kind]);
    });
  }

  it("passes its own self-check: the right caption scores highest", async () => {
    const selfCheck = model.info.selfCheck!;
    const [image] = await embedImages([selfCheck.imagePath]);
    const scores = (await embedTexts(selfCheck.captions)).map((t) => dot(image, t));
    expect(selfCheck.captions[argmax(scores)]).toBe("a red circle");
  });
});
