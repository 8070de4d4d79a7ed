// The shipped tiny model's tokenizer.json gives the same ids in @huggingface/tokenizers (what the daemon runs) as in
// the Python encoder the model was trained with (models/tiny/bpe.py): English, Chinese, mixed, whitespace, the LLM2Vec prompt,
// and seeded random strings over those alphabets.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";

const REPO_ROOT = path.resolve(__dirname, "../..");
const MODEL_DIR = path.join(REPO_ROOT, "models/tiny-llm2clip");
const TOKENIZER = path.join(MODEL_DIR, "tokenizer.json");

interface TestsetRow {
  captions: Record<"en_short" | "en_long" | "zh_short" | "zh_long", string[]>;
}

const HAND_WRITTEN = [
  "a red circle",
  "A LARGE Blue STAR in the top-left corner; the background is white.",
  "红色背景上，左上角有一个小的蓝色圆形",
  "a 红色 circle at the 左上角 on a green 背景",
  "mixed: 红色=red, 圆形=circle (2 shapes)",
  "  leading and trailing spaces  ",
  "tabs\tand\nnewlines\r\n\r\nand   runs    of spaces",
  "\n\n\n",
  "",
  " ",
  "I'm sure it's the cat's; they'll've DON'T",
  "numbers 1 12 123 1234 12345 3.14159 ２０２６",
  "emoji 🙂🎨 and symbols ©®™ — “quotes” «guillemets»",
  "全角　空格和标点：，。！？「」",
  "naïve café Ünïcödé Ελληνικά русский العربية हिन्दी",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\na small red circle at the top left<|eot_id|>",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n绿色背景上，中间有一个大的红色星形<|eot_id|>",
  "text<|eot_id|>between<|eot_id|><|eot_id|>specials<|reserved_special_token_0|>",
  "<|not_a_special|> <|eot_id",
];

/** Deterministic pseudo-random strings over ASCII, whitespace, CJK, punctuation and emoji. */
function randomStrings(count: number, seed: number): string[] {
  const pool = [
    ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    ..." \t\n\r  ',.;:!?()-_/\"",
    ..."红色绿蓝黄橙紫粉棕黑白灰青圆形正方三角星心六边菱十字小大左右上下中间角背景，。：；",
    "🙂",
    "é",
    "ß",
    "<|eot_id|>",
    " red",
    " circle",
  ];
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(next() * 40);
    return Array.from({ length }, () => pool[Math.floor(next() * pool.length)]).join("");
  });
}

function pythonIds(texts: string[]): number[][] {
  const run = spawnSync("/usr/bin/python3", ["-m", "tiny.bpe", TOKENIZER], {
    cwd: path.join(REPO_ROOT, "models"),
    input: JSON.stringify(texts),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`python tokenizer failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe("tiny model tokenizer parity (Python trainer vs @huggingface/tokenizers)", () => {
  const testset: TestsetRow[] = JSON.parse(readFileSync(path.join(MODEL_DIR, "testset/captions.json"), "utf8"));
  const captions = testset.slice(0, 40).flatMap((row) => Object.values(row.captions).flat());
  const texts = [...HAND_WRITTEN, ...captions, ...randomStrings(300, 20261127)];
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(TOKENIZER, "utf8")), {});
  const expected = pythonIds(texts);

  it("covers every kind of string", () => {
    expect(captions.length).toBeGreaterThanOrEqual(40 * 8);
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t) && /[a-z]/.test(t))).toBe(true);
  });

  it("gives identical ids for every string", () => {
    const mismatches = texts
      .map((text, i) => ({ text, ts: tokenizer.encode(text, { add_special_tokens: false }).ids, py: expected[i] }))
      .filter(({ ts, py }) => JSON.stringify(ts) !== JSON.stringify(py));
    expect(mismatches).toEqual([]);
  });

  it("maps the LLM2Vec special tokens to single ids", () => {
    for (const special of ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]) {
      const ids = tokenizer.encode(special, { add_special_tokens: false }).ids;
      expect(ids).toHaveLength(1);
      expect(ids).toEqual(pythonIds([special])[0]);
    }
  });

  it("decodes back to the text", () => {
    for (const text of [...HAND_WRITTEN.slice(0, 5), ...captions.slice(0, 20)]) {
      expect(tokenizer.decode(tokenizer.encode(text, { add_special_tokens: false }).ids, { skip_special_tokens: false })).toBe(text);
    }
  });
});
