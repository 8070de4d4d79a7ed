// LLM2Vec's text handling, as llm2vec/llm2vec.py does it for Llama-3-8B-Instruct and as models/MANIFEST.md fixes it:
// - the model input is BOS + prompt_prefix + caption.strip() + prompt_suffix, tokenized without the tokenizer's own
//   post-processing (whether a tokenizer.json's post_processor adds BOS differs between Llama-3 revisions; BOS is
//   added here, exactly once);
// - a caption too long for max_length is cut by whole words with LLM2Vec's ratio loop (`_convert_to_str`), the
//   caption's budget being what max_length leaves after BOS and the prompt (LLM2Vec's doc_max_length);
// - embed_mask marks the last len(tokenize(caption + suffix)) positions, as LLM2Vec's `tokenize` computes it;
// - batches are padded on the left with pad_token; attention_mask is 1 everywhere except the padding.
import { readFile } from "node:fs/promises";
import { Tokenizer } from "@huggingface/tokenizers";
import { invalidArgument } from "../errors";
import { manifestError, type TextSpec } from "./manifest";

export type PromptSpec = Pick<TextSpec, "promptPrefix" | "promptSuffix" | "bosToken" | "padToken" | "maxLength">;

export interface CaptionTokens {
  /** BOS + prompt prefix + caption + prompt suffix. */
  ids: number[];
  /** The trailing ids that LLM2Vec pools over: the caption and the suffix. */
  embedLength: number;
  /** The caption was cut to fit max_length. */
  truncated: boolean;
}

/** A left-padded batch, row-major [rows, length], ready for the llm graph. */
export interface TextBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  embedMask: BigInt64Array;
  dims: [number, number];
}

export class Llm2VecTokenizer {
  readonly bosId: number;
  readonly padId: number;

  /** A token the tokenizer lacks, or a max_length too small for the prompt, is a manifest error. */
  constructor(
    private readonly tokenizer: Tokenizer,
    readonly spec: PromptSpec,
    manifestPath = "manifest.json",
  ) {
    const id = (token: string, field: string) => {
      const value = tokenizer.token_to_id(token);
      if (value === undefined) throw manifestError(manifestPath, field, `${JSON.stringify(token)} is not a token of the tokenizer`);
      return value;
    };
    this.bosId = id(spec.bosToken, "text.bos_token");
    this.padId = id(spec.padToken, "text.pad_token");
    const overhead = this.promptIds("").length;
    if (overhead >= spec.maxLength) {
      throw manifestError(manifestPath, "text.max_length", `${spec.maxLength} tokens leave no room for a caption: BOS and the prompt take ${overhead}`);
    }
  }

  /** Loads the manifest's tokenizer.json; any problem is a failed_precondition naming the manifest field. */
  static async load(text: TextSpec, manifestPath: string): Promise<Llm2VecTokenizer> {
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(JSON.parse(await readFile(text.tokenizer.path, "utf8")), {});
    } catch (err) {
      throw manifestError(manifestPath, "text.tokenizer", `${text.tokenizer.file} is not a usable tokenizer.json: ${(err as Error).message}`);
    }
    return new Llm2VecTokenizer(tokenizer, text, manifestPath);
  }

  /** Tokenizes one caption. An empty (or all-whitespace) caption is invalid_argument on the field `text`. */
  encode(caption: string): CaptionTokens {
    let text = caption.trim();
    if (text === "") throw invalidArgument("text", "is empty; a caption needs at least one non-space character");
    const bounded = this.boundWork(text);
    let truncated = bounded !== text;
    text = bounded;
    let ids = this.promptIds(text);
    while (ids.length > this.spec.maxLength) {
      truncated = true;
      text = this.shorten(text, ids.length);
      ids = this.promptIds(text);
    }
    return { ids, embedLength: this.count(text + this.spec.promptSuffix), truncated };
  }

  /** Pads rows on the left to the longest one. */
  pad(rows: readonly CaptionTokens[]): TextBatch {
    const length = Math.max(...rows.map((r) => r.ids.length));
    const size = rows.length * length;
    const inputIds = new BigInt64Array(size).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(size);
    const embedMask = new BigInt64Array(size);
    rows.forEach((row, r) => {
      const end = (r + 1) * length;
      const start = end - row.ids.length;
      row.ids.forEach((id, i) => (inputIds[start + i] = BigInt(id)));
      attentionMask.fill(1n, start, end);
      embedMask.fill(1n, end - row.embedLength, end);
    });
    return { inputIds, attentionMask, embedMask, dims: [rows.length, length] };
  }

  /**
   * The tokenizer is pure JS, so an enormous caption is cut before it is tokenized, to lengths that cannot be kept
   * anyway: max_length words (every word is at least one token; this changes the ratio loop's answer by rounding at
   * most), and max_length x 8 characters (twice what max_length tokens of natural text hold, in any language).
   */
  private boundWork(text: string): string {
    const { maxLength } = this.spec;
    const words = text.split(/\s+/);
    return safeSlice(words.length > maxLength ? words.slice(0, maxLength).join(" ") : text, maxLength * 8);
  }

  private count(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  }

  private promptIds(caption: string): number[] {
    const body = this.tokenizer.encode(this.spec.promptPrefix + caption + this.spec.promptSuffix, { add_special_tokens: false });
    return [this.bosId, ...body.ids];
  }

  /**
   * One step of LLM2Vec's ratio loop: keep int(words × budget / caption tokens) words, where the budget is what
   * max_length leaves for the caption. LLM2Vec would cut a single over-long word (a Chinese caption has no spaces)
   * to nothing; that word is cut by characters instead, to its longest prefix within the budget.
   */
  private shorten(text: string, promptLength: number): string {
    const captionLength = this.count(text);
    const budget = this.spec.maxLength - (promptLength - captionLength);
    const words = text.split(/\s+/);
    const kept = Math.floor((words.length * budget) / captionLength);
    if (kept >= 1) return words.slice(0, kept).join(" ");
    return this.longestPrefixWithin(words[0], budget);
  }

  /** The longest prefix of `word`, in whole characters, that tokenizes to at most `budget` tokens. */
  private longestPrefixWithin(word: string, budget: number): string {
    const chars = Array.from(word);
    const fits = (n: number) => this.count(chars.slice(0, n).join("")) <= budget;
    // Grow an upper bound from `budget` characters, then bisect: only short prefixes are ever tokenized.
    let good = 0;
    let bad = Math.min(budget, chars.length);
    while (bad < chars.length && fits(bad)) {
      good = bad;
      bad = Math.min(bad * 2, chars.length);
    }
    if (fits(bad)) return chars.slice(0, bad).join("");
    while (bad - good > 1) {
      const mid = (good + bad) >> 1;
      if (fits(mid)) good = mid;
      else bad = mid;
    }
    return chars.slice(0, good).join("");
  }
}

/** At most `max` UTF-16 units of `text`, never splitting a surrogate pair. */
function safeSlice(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, /[\uDC00-\uDFFF]/.test(text[max]) ? max - 1 : max);
}
