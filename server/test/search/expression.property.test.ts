// Property test: writing any list of terms in the expression syntax, in any of its allowed spellings, and parsing
// it gives the terms back.
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { MAX_TERM_WEIGHT, parseExpression, type ExpressionTerm } from "../../src/search/expression";

const WEIGHT_PREFIX = /^(\d+(?:\.\d+)?|\.\d+):/;

interface Spelling {
  term: ExpressionTerm;
  quoted: boolean;
  /** Write `1:` even when the weight is 1. */
  explicitWeight: boolean;
  /** Whitespace around the operator before the term (the first term's leading sign has none before it). */
  before: string;
  after: string;
}

const textChar = fc.constantFrom(..."ab z-+:2.\"红", " ", "\t");
const whitespace = fc.constantFrom("", " ", "  ", "\t", "\n");
// Weight 1 is the common case, and only it lets a bare text follow the operator directly.
const weight = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: MAX_TERM_WEIGHT * 100 }).map((hundredths) => hundredths / 100));
const spelling = fc.record({
  term: fc.record({ weight: fc.tuple(weight, fc.boolean()).map(([w, negative]) => (negative ? -w : w)), text: fc.string({ unit: textChar, minLength: 1, maxLength: 12 }) }),
  quoted: fc.boolean(),
  explicitWeight: fc.boolean(),
  before: whitespace,
  after: whitespace,
});

/** A bare term runs until whitespace followed by an operator, so only some texts can be written bare. */
function canBeBare(s: Spelling, first: boolean): boolean {
  const text = s.term.text;
  if (text !== text.trim() || text.startsWith('"') || /\s[+-]/.test(text)) return false;
  if (first && /^[+-]/.test(text)) return false;
  return s.explicitWeight || Math.abs(s.term.weight) !== 1 || !WEIGHT_PREFIX.test(text);
}

/** Keeps the spelling when the text can be written that way; otherwise quotes the text, dropping its quote marks. */
function writable(s: Spelling, first: boolean): Spelling {
  if (!s.quoted && canBeBare(s, first)) return s;
  const text = s.term.text.replaceAll('"', "");
  return { ...s, quoted: true, term: { ...s.term, text: text.trim() === "" ? `${text}x` : text } };
}

function write(spellings: Spelling[], leading: string, trailing: string): string {
  let out = leading;
  spellings.forEach((s, i) => {
    const negative = s.term.weight < 0;
    if (i === 0) out += negative ? `-${s.after}` : "";
    else out += `${s.before || " "}${negative ? "-" : "+"}${s.after}`;
    const magnitude = Math.abs(s.term.weight);
    if (s.explicitWeight || magnitude !== 1) out += `${magnitude}:`;
    out += s.quoted ? `"${s.term.text}"` : s.term.text;
  });
  return out + trailing;
}

const expression = fc
  .tuple(fc.array(spelling, { minLength: 1, maxLength: 6 }), whitespace, whitespace)
  .map(([spellings, leading, trailing]) => [spellings.map((s, i) => writable(s, i === 0)), leading, trailing] as const);

test.prop([expression], { numRuns: 300 })("parseExpression reads back every term as written", ([spellings, leading, trailing]) => {
  const written = write(spellings, leading, trailing);
  const expected = spellings.map((s) => ({ weight: s.term.weight, text: s.term.text.trim() }));
  expect(parseExpression(written), written).toEqual(expected);
});
