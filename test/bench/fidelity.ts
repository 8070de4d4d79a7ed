// What the fidelity options cost and change, measured (models/MANIFEST.md quotes the figures):
// 1. text.caption_handling on the tiny model, which was trained with "whole_words": image->text and text->image R@1
//    over its 100-image test split, served as trained and served with llm2vec's rules instead.
// 2. Pillow's bicubic resize (pil-bicubic.ts) against sharp's cubic kernel on the same decoded pixels, alternated
//    in rounds, median per image size.
//
//   npx esbuild test/bench/fidelity.ts --bundle --platform=node --packages=external --outfile=test/.artifacts/fidelity.cjs \
//     && node test/.artifacts/fidelity.cjs
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { loadModel } from "../../server/src/model/load";
import { pilBicubicResizeCrop } from "../../server/src/model/pil-bicubic";

// Run from the repository root.
const TINY = path.resolve("models/tiny-llm2clip");
const quiet = { info: () => {}, warn: () => {} };

interface Row {
  image: string;
  captions: Record<string, string[]>;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

async function recall(dir: string, rows: Row[], kind: string): Promise<{ i2t: number; t2i: number }> {
  const model = await loadModel(dir, { device: "cpu", log: quiet, textCacheEntries: 0 });
  const images = await Promise.all(rows.map(async (r) => (await model.embedImage(readFileSync(path.join(TINY, "testset", r.image)))).embedding));
  const texts = await Promise.all(rows.map(async (r) => (await model.embedText(r.captions[kind][0])).embedding));
  let i2t = 0;
  let t2i = 0;
  for (let i = 0; i < rows.length; i++) {
    const byText = texts.map((t) => dot(images[i], t));
    if (byText.indexOf(Math.max(...byText)) === i) i2t++;
    const byImage = images.map((im) => dot(im, texts[i]));
    if (byImage.indexOf(Math.max(...byImage)) === i) t2i++;
  }
  await model.close();
  return { i2t: i2t / rows.length, t2i: t2i / rows.length };
}

async function captionHandling(): Promise<void> {
  const rows: Row[] = JSON.parse(readFileSync(path.join(TINY, "testset/captions.json"), "utf8"));
  const llm2vec = mkdtempSync(path.join(tmpdir(), "fidelity-"));
  cpSync(TINY, llm2vec, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(llm2vec, "manifest.json"), "utf8"));
  manifest.text.caption_handling = "llm2vec";
  writeFileSync(path.join(llm2vec, "manifest.json"), JSON.stringify(manifest));
  console.log("| captions | as trained (whole_words) I2T / T2I R@1 | llm2vec rules I2T / T2I R@1 |\n| --- | --- | --- |");
  for (const kind of ["en_short", "en_long", "zh_short", "zh_long"]) {
    const trained = await recall(TINY, rows, kind);
    const official = await recall(llm2vec, rows, kind);
    const pct = (r: { i2t: number; t2i: number }) => `${(100 * r.i2t).toFixed(0)}% / ${(100 * r.t2i).toFixed(0)}%`;
    console.log(`| ${kind} | ${pct(trained)} | ${pct(official)} |`);
  }
  rmSync(llm2vec, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function resizeCost(): Promise<void> {
  const S = 336;
  console.log("\n| decoded size | Pillow bicubic (pil-bicubic.ts) | sharp cubic | ratio |\n| --- | --- | --- | --- |");
  for (const [width, height] of [[640, 480], [1920, 1080], [4000, 3000]]) {
    const data = await sharp({ create: { width, height, channels: 3, background: "#3080c0", noise: { type: "gaussian", mean: 128, sigma: 50 } } })
      .raw()
      .toBuffer();
    const outW = Math.floor((S * width) / height);
    const crop = { left: (outW - S) >> 1, top: 0, width: S, height: S };
    const pil: number[] = [];
    const vips: number[] = [];
    for (let round = 0; round < 7; round++) {
      let t = performance.now();
      pilBicubicResizeCrop(data, width, height, outW, S, crop);
      pil.push(performance.now() - t);
      t = performance.now();
      await sharp(data, { raw: { width, height, channels: 3 } }).resize({ width: outW, height: S, fit: "fill", kernel: "cubic" }).extract(crop).raw().toBuffer();
      vips.push(performance.now() - t);
    }
    console.log(`| ${width}x${height} | ${median(pil).toFixed(1)} ms | ${median(vips).toFixed(1)} ms | ${(median(pil) / median(vips)).toFixed(1)}x |`);
  }
}

async function main(): Promise<void> {
  await captionHandling();
  await resizeCost();
}

void main();
