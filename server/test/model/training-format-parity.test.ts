// The batches the daemon feeds the llm graph equal the ones the shipped tiny model was trained on
// (models/tiny/text_format.py, run with Debian's Python): same prompt, ids, left padding and masks.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Llm2VecTokenizer } from "../../src/model/llm2vec";
import { readManifest } from "../../src/model/manifest";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const MODEL_DIR = path.join(REPO_ROOT, "models/tiny-llm2clip");
const TOKENIZER = path.join(MODEL_DIR, "tokenizer.json");
const TESTSET = path.join(MODEL_DIR, "testset/captions.json");

const PYTHON_BATCHES = `
import json, sys
from models.tiny.bpe import ByteLevelBPE
from models.tiny.text_format import llm2vec_batch
request = json.load(sys.stdin)
tokenizer = ByteLevelBPE.load(request["tokenizer"])
out = []
for group in request["groups"]:
    batch = llm2vec_batch(tokenizer, group, request["max_length"])
    out.append({key: value.tolist() for key, value in batch.items()})
json.dump(out, sys.stdout)
`;

describe("training and serving format the same LLM2Vec batches", () => {
  it("for the shipped tokenizer, over English and Chinese, short and long test captions", async () => {
    const rows: Array<{ captions: Record<string, string[]> }> = JSON.parse(readFileSync(TESTSET, "utf8"));
    const captions = rows.slice(0, 12).flatMap((row) => Object.values(row.captions).flat());
    captions.push("  a red circle \n", "红色背景上，左上角有一个小的蓝色圆形");
    const groups: string[][] = [];
    for (let i = 0; i < captions.length; i += 8) groups.push(captions.slice(i, i + 8));

    const manifest = await readManifest(MODEL_DIR);
    expect(manifest.text.maxLength).toBe(512);
    const tokenizer = await Llm2VecTokenizer.load(manifest.text, manifest.path);

    const python = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", PYTHON_BATCHES], {
        cwd: REPO_ROOT,
        input: JSON.stringify({ tokenizer: TOKENIZER, groups, max_length: 512 }),
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      }),
    ) as Array<Record<"input_ids" | "attention_mask" | "embed_mask", number[][]>>;

    expect(python).toHaveLength(groups.length);
    groups.forEach((group, g) => {
      const encoded = group.map((c) => tokenizer.encode(c));
      expect(encoded.some((e) => e.truncated)).toBe(false);
      const batch = tokenizer.pad(encoded);
      const [rowsInBatch, length] = batch.dims;
      const matrix = (data: BigInt64Array) =>
        Array.from({ length: rowsInBatch }, (_, r) => Array.from(data.slice(r * length, (r + 1) * length), Number));
      expect(matrix(batch.inputIds)).toEqual(python[g].input_ids);
      expect(matrix(batch.attentionMask)).toEqual(python[g].attention_mask);
      expect(matrix(batch.embedMask)).toEqual(python[g].embed_mask);
    });
  });
});
