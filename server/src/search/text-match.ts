// The text half of hybrid search: what a query's words are, which images show them, and where.
// Matching is on a searchable form of the text: NFKC (full-width Latin folds to ASCII), lower case, whitespace and
// punctuation removed. Removing whitespace makes a quoted phrase match whether or not OCR kept the spaces between
// words (PP-OCRv4 often drops narrow ones; see test/bench/ocr/results.md), and whether or not a Chinese query has
// spaces; punctuation is what OCR reads least reliably (quotes, dots, full-width commas), and a query rarely quotes it
// as the image shows it. The phrase's letters, digits and Han characters still match exactly and in order.
import type { Collection, TextCandidate, TextLineRecord } from "../store/collection";

export interface TextQuery {
  /** Quoted phrases: an image must show each of them. */
  phrases: string[];
  /** Other words: an image must show at least one; more is better. */
  words: string[];
}

export interface TextHit {
  sha256: string;
  /** Fraction of the query's phrases and words shown (phrases count double), in (0, 1]. */
  score: number;
  snippet: string;
  box: { x: number; y: number; width: number; height: number };
}

/** Words too common to say anything about an image on their own. */
const STOP_WORDS = new Set(["the", "and", "for", "with", "from", "that", "this", "into", "are", "was", "not", "but", "its", "you"]);
const QUOTED = /"([^"]*)"|“([^”]*)”|「([^」]*)」/g;

/** The quoted texts of `text`, as written ("…", “…” or 「…」), in order. */
export function quotedTexts(text: string): string[] {
  return [...text.matchAll(QUOTED)].map((match) => match.slice(1, 4).find((group) => group !== undefined) ?? "");
}

export function searchableForm(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[\s\p{P}]+/gu, "");
}

/** The searchable form of an image's lines, as the collection stores it. */
export function searchableLines(lines: readonly TextLineRecord[]): string {
  return lines.map((line) => searchableForm(line.text)).join("");
}

/** The phrases and words of a query's texts; undefined when nothing in them can match text. */
export function parseTextQuery(texts: readonly string[]): TextQuery | undefined {
  const phrases: string[] = [];
  const words: string[] = [];
  for (const text of texts) {
    for (const quoted of quotedTexts(text)) {
      const phrase = searchableForm(quoted);
      if (phrase.length > 0) phrases.push(phrase);
    }
    const rest = text.replace(QUOTED, " ");
    for (const word of rest.split(/[\s,;:!?.()[\]{}<>]+/)) {
      const form = searchableForm(word);
      const han = /\p{Script=Han}/u.test(form);
      if (han ? form.length >= 2 : form.length >= 3 && !STOP_WORDS.has(form)) words.push(form);
    }
  }
  if (phrases.length === 0 && words.length === 0) return undefined;
  return { phrases: [...new Set(phrases)], words: [...new Set(words)] };
}

/** The run of lines that holds characters [start, end) of searchableLines(lines), with their box. */
function locate(lines: readonly TextLineRecord[], start: number, end: number): Pick<TextHit, "snippet" | "box"> {
  let offset = 0;
  const held: TextLineRecord[] = [];
  for (const line of lines) {
    const length = searchableForm(line.text).length;
    if (offset + length > start && offset < end) held.push(line);
    offset += length;
  }
  const x0 = Math.min(...held.map((l) => l.box.x));
  const y0 = Math.min(...held.map((l) => l.box.y));
  const x1 = Math.max(...held.map((l) => l.box.x + l.box.width));
  const y1 = Math.max(...held.map((l) => l.box.y + l.box.height));
  return { snippet: held.map((l) => l.text).join(" "), box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
}

function score(candidate: TextCandidate, query: TextQuery): TextHit | undefined {
  const text = candidate.searchable;
  if (!query.phrases.every((p) => text.includes(p))) return undefined;
  const shownWords = query.words.filter((w) => text.includes(w));
  if (query.phrases.length === 0 && shownWords.length === 0) return undefined;
  const first = query.phrases[0] ?? shownWords[0]!;
  const at = text.indexOf(first);
  return {
    sha256: candidate.sha256,
    score: (2 * query.phrases.length + shownWords.length) / (2 * query.phrases.length + query.words.length),
    ...locate(candidate.lines, at, at + first.length),
  };
}

/**
 * The collection's images whose text matches, best first: more of the query shown, then less other text (an image
 * that shows little else is more about the query). At most `limit` candidates are considered.
 */
export function rankByText(collection: Collection, query: TextQuery, limit: number): TextHit[] {
  const candidates = collection.textCandidates(query.phrases, query.words, limit);
  const lengths = new Map(candidates.map((c) => [c.sha256, c.searchable.length]));
  return candidates
    .map((c) => score(c, query))
    .filter((hit): hit is TextHit => hit !== undefined)
    .sort((a, b) => b.score - a.score || lengths.get(a.sha256)! - lengths.get(b.sha256)!);
}
