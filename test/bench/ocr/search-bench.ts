// Hybrid search hit@1: each rendered image of the OCR test set (see ocr-bench.ts) is indexed as the daemon indexes
// it (embedding + OCR lines in a real collection), then searched with a query quoting 2 to 4 consecutive words of its
// text (Chinese: 4 to 8 consecutive characters, the length of 2 to 4 words). A hit counts when that image comes first.
// Writes search-results.md.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadModel } from "../../../server/src/model/load";
import { decodeForOcr } from "../../../server/src/ocr/decode";
import { loadOcr } from "../../../server/src/ocr/load";
import { searchAssets } from "../../../server/src/search/search-assets";
import { searchableLines } from "../../../server/src/search/text-match";
import { CollectionRegistry } from "../../../server/src/store/collections";
import { renderedSet } from "./rendered-set";

const ROOT = path.resolve(__dirname, "../../..");

function quote(text: string, i: number): string {
  if (/\p{Script=Han}/u.test(text)) {
    const chars = [...text.replace(/[\s，。、；：？！“”"]/g, "")];
    const length = Math.min(chars.length, 4 + 2 * (i % 3));
    const start = (i * 7) % Math.max(1, chars.length - length + 1);
    return chars.slice(start, start + length).join("");
  }
  const words = text.split(/\s+/);
  const count = Math.min(words.length, 2 + (i % 3));
  const start = (i * 3) % Math.max(1, words.length - count + 1);
  return words.slice(start, start + count).join(" ");
}

async function main() {
  const samples = await renderedSet(JSON.parse(readFileSync(path.join(__dirname, "texts.json"), "utf8")));
  const model = await loadModel(path.join(ROOT, "models/tiny-llm2clip"), { device: "cpu", log: { info() {}, warn() {} } });
  const ocr = await loadOcr();
  const dir = mkdtempSync(path.join(os.tmpdir(), "ocr-search-bench-"));
  const registry = new CollectionRegistry(dir, { name: model.info.name, embedDim: model.info.embedDim });
  const collection = registry.getOrCreate("bench", "collection");
  for (const s of samples) {
    const embedded = await model.embedImage(s.bytes);
    const sha256 = createHash("sha256").update(s.bytes).digest("hex");
    const asset = { path: `${s.name}.png`, sha256, size: s.bytes.length, mtimeMs: 0, altTexts: [] };
    collection.addContent({ sha256, size: s.bytes.length, width: embedded.width, height: embedded.height, embedding: embedded.embedding }, [asset]);
    const lines = await ocr.engine.read(await decodeForOcr(s.bytes, 50_000_000));
    collection.recordText(sha256, { lines }, searchableLines(lines));
  }
  const tally = { en: { hits: 0, total: 0 }, zh: { hits: 0, total: 0 } };
  const misses: string[] = [];
  for (const [i, s] of samples.entries()) {
    const q = `"${quote(s.lines[i % s.lines.length]!, i)}"`;
    const result = await searchAssets(
      { collection: "bench", terms: [{ weight: 1, text: q }], expression: "", topK: 3, includeGlobs: [], excludeGlobs: [] },
      { model, registry, maxTopK: 100, maxTerms: 16 },
    );
    const hit = result.hits[0]?.path === `${s.name}.png`;
    tally[s.language].total++;
    if (hit) tally[s.language].hits++;
    else misses.push(`${s.name}: ${q} → ${result.hits[0]?.path ?? "no hit"} (${result.hits[0]?.textMatch?.snippet ?? "no text match"})`);
  }
  registry.closeAll();
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([model.close(), ocr.release()]);
  const pct = (t: { hits: number; total: number }) => `${t.hits}/${t.total} = ${((100 * t.hits) / t.total).toFixed(0)}%`;
  const report = `# Hybrid search hit@1 on quoted text (test/bench/ocr/search-bench.ts)

Produced by \`node test/bench/ocr/run.mjs search\` on ${new Date().toISOString().slice(0, 10)}. ${samples.length} rendered images of the OCR
test set in one collection (tiny-llm2clip embeddings + PP-OCRv4 text); each is searched for with a quoted run of 2 to 4
words of its own text (Chinese: 4 to 8 characters), through SearchAssets' fusion (RRF, k = 60).

| language | hit@1 | target |
| --- | ---: | --- |
| English | ${pct(tally.en)} | ≥ 90% |
| Chinese | ${pct(tally.zh)} | ≥ 90% |

## Misses

${misses.map((m) => `- ${m}`).join("\n") || "none"}
`;
  writeFileSync(path.join(__dirname, "search-results.md"), report);
  console.log(report);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
