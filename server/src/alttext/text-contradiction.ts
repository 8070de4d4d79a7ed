// The alt-contradicts-text rule: an alt text that quotes text the image does not show. Quoting is a claim about what
// the image says ("the “Save” button"); a description in plain words is not checked, since OCR cannot tell what a
// sentence refers to. Conservative by construction, so that it does not fire on good alt text:
// - it needs an image whose text was read surely (at least MIN_READ_CHARACTERS in lines read with confidence ≥ 0.8);
// - a quoted text is compared in search's form (case, spaces and punctuation ignored, as OCR drops narrow spaces);
// - it is shown when the image's text (every line read) holds it with at most one edit per 4 characters (OCR misreads
//   fewer than 1 in 20 on screenshots: test/bench/ocr/results.md);
// - quoted texts shorter than 3 letters or digits (2 Han characters) are not checked.
import type { TextLineRecord } from "../store/collection";
import { quotedTexts, searchableForm } from "../search/text-match";
import { byTypeSize, quotableLines } from "./image-text-suggestions";

export interface TextContradiction {
  /** The quoted text as the alt text writes it. */
  quoted: string;
  /** The image's lines, largest type first. */
  imageLines: string[];
}

const MIN_READ_CHARACTERS = 8;
const CHARACTERS_PER_EDIT = 4;
const SHOWN_LINES = 5;

/** The fewest edits that turn `needle` into some substring of `haystack` (Sellers' approximate string matching). */
export function substringEditDistance(needle: string, haystack: string): number {
  const n = [...needle];
  let previous = Uint32Array.from({ length: n.length + 1 }, (_, i) => i);
  let current = new Uint32Array(n.length + 1);
  let best = n.length;
  for (const c of haystack) {
    current[0] = 0;
    for (let i = 1; i <= n.length; i++) {
      current[i] = Math.min(previous[i]! + 1, current[i - 1]! + 1, previous[i - 1]! + (n[i - 1] === c ? 0 : 1));
    }
    best = Math.min(best, current[n.length]!);
    [previous, current] = [current, previous];
  }
  return best;
}

function checkable(form: string): boolean {
  return /\p{Script=Han}/u.test(form) ? [...form].length >= 2 : form.length >= 3;
}

/** The first quoted text of `alt` that the image's `lines` do not show, or undefined. */
export function textContradiction(alt: string, lines: readonly TextLineRecord[]): TextContradiction | undefined {
  const surelyRead = quotableLines(lines).map((line) => searchableForm(line.text)).join("");
  if ([...surelyRead].length < MIN_READ_CHARACTERS) return undefined;
  const shown = lines.map((line) => searchableForm(line.text)).join("");
  for (const quoted of quotedTexts(alt)) {
    const form = searchableForm(quoted);
    if (!checkable(form)) continue;
    const allowed = Math.floor([...form].length / CHARACTERS_PER_EDIT);
    if (substringEditDistance(form, shown) > allowed) {
      const largest = byTypeSize(lines).slice(0, SHOWN_LINES);
      return { quoted: quoted.trim(), imageLines: largest.map((line) => line.text.trim()) };
    }
  }
  return undefined;
}
