// Alt-text candidates built from the text read in an image (OCR). For an image of text, WCAG's technique G94 wants
// the alt text to say what the image says: a short text is offered as written. A screenshot shows far more text than
// an alt text should hold (screen-reader guidance keeps it near 125 characters), so its most prominent lines (the
// largest type: headings, buttons) are offered, quoted, in reading order.
import type { TextLineRecord } from "../store/collection";

/** Lines read less surely than this are not quoted: a misread word in an alt text is worse than none. */
export const QUOTABLE_CONFIDENCE = 0.8;
/** The text as written is offered up to this length. */
const MAX_VERBATIM = 125;
const MAX_QUOTED_LINES = 3;
const MAX_QUOTED_LINE = 40;

const HAN = /\p{Script=Han}/gu;
const WORD_CHARACTER = /[\p{L}\p{N}]/gu;

/** Lines worth quoting: read surely, and holding at least two letters or digits. */
export function quotableLines(lines: readonly TextLineRecord[]): TextLineRecord[] {
  return lines.filter((line) => line.confidence >= QUOTABLE_CONFIDENCE && (line.text.match(WORD_CHARACTER)?.length ?? 0) >= 2);
}

function isMostlyHan(texts: readonly string[]): boolean {
  const all = texts.join("");
  return (all.match(HAN)?.length ?? 0) * 2 > (all.match(WORD_CHARACTER)?.length ?? 0);
}

/** Cut at a word boundary (any character in Chinese), with an ellipsis. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The line's type size, estimated from its width per character (a Latin character is about 0.55 em wide, a Han one
 * 1 em). The box's height says less: the detector grows every box by an offset that is larger for long lines.
 */
function typeSize(line: TextLineRecord): number {
  const characters = [...line.text.replace(/\s+/g, "")];
  const ems = characters.reduce((sum, c) => sum + (/\p{Script=Han}/u.test(c) ? 1 : 0.55), 0);
  return ems > 0 ? line.box.width / ems : 0;
}

/** The lines, largest type first (reading order among equals). */
export function byTypeSize(lines: readonly TextLineRecord[]): TextLineRecord[] {
  return lines
    .map((line, order) => ({ line, order, size: typeSize(line) }))
    .sort((a, b) => b.size - a.size || a.order - b.order)
    .map(({ line }) => line);
}

/** The largest lines, at most MAX_QUOTED_LINES, back in reading order (the lines come in reading order). */
function prominentLines(lines: readonly TextLineRecord[]): string[] {
  const largest = new Set(byTypeSize(lines).slice(0, MAX_QUOTED_LINES));
  return lines
    .filter((line) => largest.has(line))
    .map((line) => shorten(line.text.trim(), MAX_QUOTED_LINE));
}

function quoteList(texts: readonly string[]): string {
  if (isMostlyHan(texts)) {
    const quoted = texts.map((t) => `“${t}”`);
    return `截图，显示${quoted.length > 1 ? `${quoted.slice(0, -1).join("、")}和${quoted.at(-1)}` : quoted[0]}`;
  }
  const quoted = texts.map((t) => `“${t}”`);
  return `Screenshot showing ${quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}` : quoted[0]}`;
}

/** Candidate alt texts from an image's lines (in reading order); none when it shows no text worth quoting. */
export function imageTextSuggestions(lines: readonly TextLineRecord[]): string[] {
  const quotable = quotableLines(lines);
  if (quotable.length === 0) return [];
  const verbatim = quotable.map((line) => line.text.trim()).join(isMostlyHan(quotable.map((l) => l.text)) ? "" : " ");
  const suggestions = [quoteList(prominentLines(quotable))];
  if (verbatim.length <= MAX_VERBATIM) suggestions.unshift(verbatim);
  return suggestions;
}
