// LLM2Vec's text handling for the llm graph. Two policies, chosen by the manifest's `text.caption_handling`:
//
// "llm2vec" (the released checkpoints; llm2vec/llm2vec.py as LLM2CLIP calls it, max_length = doc_max_length = 512):
// - the text is "!@#$%^&*()" + caption, then Python's str.strip(): trailing whitespace goes, leading whitespace of the
//   caption stays (`_convert_to_str`, then `prepare_for_tokenization`, which also wraps it in the prompt);
// - `tokenize` splits the prompt on the separator: the model input is the parts joined, the pooled text is part 1
//   only (so a caption holding the separator pools only up to it);
// - the input is tokenized with the tokenizer's own special tokens (its post-processor decides BOS) and
//   `truncation=True, max_length`: the cut is the tokenizer's, at the right end, dropping <|eot_id|> first;
// - embed_mask marks the last N positions, N = the token count of the pooled text (truncated to max_length too), so
//   past ~506 caption tokens the pooled span reaches the prompt. With doc_max_length = max_length, llm2vec's
//   word-by-word ratio loop never runs.
//
// "whole_words" (the tiny model's training, models/tiny/text_format.py): the caption is stripped at both ends,
// BOS (`bos_token`) is always inserted, a caption too long is cut by whole words with a ratio loop so that
// <|eot_id|> is kept, and embed_mask marks exactly the caption and the suffix.
//
// Both pad batches on the left with pad_token; attention_mask is 1 everywhere except the padding.
import { readFile } from "node:fs/promises";
import { Tokenizer } from "@huggingface/tokenizers";
import { invalidArgument } from "../errors";
import { manifestError, type TextSpec } from "./manifest";

export type PromptSpec = Pick<TextSpec, "promptPrefix" | "promptSuffix" | "bosToken" | "padToken" | "maxLength" | "captionHandling">;

/** llm2vec's instruction/text separator. */
export const LLM2VEC_SEPARATOR = "!@#$%^&*()";

export interface CaptionTokens {
  /** The model input: prompt and caption, with the special tokens of the policy. */
  ids: number[];
  /** The trailing ids that LLM2Vec pools over. */
  embedLength: number;
  /** The input was cut to fit max_length. */
  truncated: boolean;
}

/** A left-padded batch, row-major [rows, length], ready for the llm graph. */
export interface TextBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  embedMask: BigInt64Array;
  dims: [number, number];
}

/** The code points for which Python's str.isspace() is true (JS's trim() differs: it strips U+FEFF, keeps U+001C-U+001F and U+0085). */
const PYTHON_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PYTHON_STRIP = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, "g");
const PYTHON_SPLIT = new RegExp(`[${PYTHON_SPACE}]+`);

/** Python's str.strip() with no argument. */
export function pythonStrip(text: string): string {
  return text.replace(PYTHON_STRIP, "");
}

export class Llm2VecTokenizer {
  readonly bosId: number;
  readonly padId: number;
  /** The ids the tokenizer's post-processor puts before and after a sequence (Llama-3: BOS, or nothing). */
  private readonly specialsBefore: number[];
  private readonly specialsAfter: number[];

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
    const probe = spec.promptPrefix + "a" + spec.promptSuffix;
    const plain = this.ids(probe, false);
    const full = this.ids(probe, true);
    const at = indexOfRun(full, plain);
    if (at < 0) {
      throw manifestError(manifestPath, "text.tokenizer", "its post-processor does more than add tokens around a sequence, which LLM2Vec's truncation cannot reproduce");
    }
    this.specialsBefore = full.slice(0, at);
    this.specialsAfter = full.slice(at + plain.length);
    const overhead = this.encodePolicy("").ids.length;
    if (overhead >= spec.maxLength) {
      throw manifestError(manifestPath, "text.max_length", `${spec.maxLength} tokens leave no room for a caption: the special tokens and the prompt take ${overhead}`);
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

  /**
   * Tokenizes one caption. An empty caption, or one of whitespace only, is invalid_argument on the field `text`
   * (llm2vec would embed the bare <|eot_id|>; a search or a verdict on that means nothing).
   */
  encode(caption: string): CaptionTokens {
    const text = this.canonical(caption);
    if (pythonStrip(text) === "") throw invalidArgument("text", "is empty; a caption needs at least one non-space character");
    return this.encodePolicy(text);
  }

  /**
   * The caption with the whitespace the policy drops removed: captions with the same canonical form get the same
   * tokens (llm2vec: trailing whitespace only; whole_words: both ends).
   */
  canonical(caption: string): string {
    if (this.spec.captionHandling === "whole_words") return pythonStrip(caption);
    return pythonStrip(LLM2VEC_SEPARATOR + caption).slice(LLM2VEC_SEPARATOR.length);
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

  private encodePolicy(caption: string): CaptionTokens {
    return this.spec.captionHandling === "llm2vec" ? this.encodeLlm2Vec(caption) : this.encodeWholeWords(caption);
  }

  private encodeLlm2Vec(caption: string): CaptionTokens {
    const { promptPrefix, promptSuffix, maxLength } = this.spec;
    const parts = (promptPrefix + pythonStrip(LLM2VEC_SEPARATOR + caption) + promptSuffix).split(LLM2VEC_SEPARATOR);
    const room = maxLength - this.specialsBefore.length - this.specialsAfter.length;
    const body = this.boundedIds(parts.join(""), room);
    const ids = [...this.specialsBefore, ...body.slice(0, room), ...this.specialsAfter];
    const pooled = Math.min(this.boundedIds(parts[1], maxLength).length, maxLength);
    // A caption that starts with the separator leaves part 1 empty: llm2vec's `[-0:]` then pools the whole row
    // (with its left padding, which depends on the batch); the row without padding is the batch-independent reading.
    const embedLength = pooled === 0 ? ids.length : Math.min(pooled, ids.length);
    return { ids, embedLength, truncated: body.length > room };
  }

  /**
   * The ids of `text` without special tokens, enough of them to decide a cut at `limit` tokens: the tokenizer is
   * pure JS, so a text of more than 32 characters a token of budget is tokenized by a prefix of that length when the
   * prefix alone gives more than `limit` + 64 tokens (only the last words of a prefix can tokenize differently).
   */
  private boundedIds(text: string, limit: number): number[] {
    const bound = 32 * limit;
    if (text.length > bound) {
      const prefix = this.ids(safeSlice(text, bound), false);
      if (prefix.length > limit + 64) return prefix;
    }
    return this.ids(text, false);
  }

  private encodeWholeWords(caption: string): CaptionTokens {
    let text = pythonStrip(caption);
    const bounded = this.boundWords(text);
    let truncated = bounded !== text;
    text = bounded;
    let ids = this.wholeWordsIds(text);
    while (ids.length > this.spec.maxLength) {
      truncated = true;
      text = this.shorten(text, ids.length);
      ids = this.wholeWordsIds(text);
    }
    return { ids, embedLength: this.count(text + this.spec.promptSuffix), truncated };
  }

  /**
   * An enormous caption is cut before it is tokenized, to lengths that cannot be kept anyway: max_length words (every
   * word is at least one token; this changes the ratio loop's answer by rounding at most), and max_length x 8
   * characters (twice what max_length tokens of natural text hold, in any language).
   */
  private boundWords(text: string): string {
    const { maxLength } = this.spec;
    const words = text.split(PYTHON_SPLIT);
    return safeSlice(words.length > maxLength ? words.slice(0, maxLength).join(" ") : text, maxLength * 8);
  }

  private ids(text: string, addSpecialTokens: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  private count(text: string): number {
    return this.ids(text, false).length;
  }

  private wholeWordsIds(caption: string): number[] {
    return [this.bosId, ...this.ids(this.spec.promptPrefix + caption + this.spec.promptSuffix, false)];
  }

  /**
   * One step of the ratio loop: keep int(words × budget / caption tokens) words, where the budget is what max_length
   * leaves for the caption. A single over-long word (a Chinese caption has no spaces) is cut by characters instead, to
   * its longest prefix within the budget.
   */
  private shorten(text: string, promptLength: number): string {
    const captionLength = this.count(text);
    const budget = this.spec.maxLength - (promptLength - captionLength);
    const words = text.split(PYTHON_SPLIT);
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

/** Where `run` first occurs in `ids` as a contiguous run, or -1. */
function indexOfRun(ids: readonly number[], run: readonly number[]): number {
  for (let i = 0; i + run.length <= ids.length; i++) {
    if (run.every((id, j) => ids[i + j] === id)) return i;
  }
  return -1;
}

/** At most `max` UTF-16 units of `text`, never splitting a surrogate pair. */
function safeSlice(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, /[\uDC00-\uDFFF]/.test(text[max]) ? max - 1 : max);
}
