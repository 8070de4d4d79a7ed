// The text around an image reference that SuggestAltText uses for suggestions: its paragraph and nearest heading.
import type { ImageReference } from "../../../server/src/alttext/references";

const MAX_CONTEXT_CHARS = 1_000;

export interface ReferenceContext {
  surroundingText: string;
  heading: string;
}

/** The paragraph (blank-line delimited) around `ref` without the reference itself, and the last heading before it. */
export function referenceContext(text: string, ref: ImageReference): ReferenceContext {
  const before = text.slice(0, ref.range[0]);
  const after = text.slice(ref.range[1]);
  const paragraphStart = before.search(/\n[ \t]*\n(?![\s\S]*\n[ \t]*\n)/);
  const paragraphEnd = after.search(/\n[ \t]*\n/);
  const surrounding = (before.slice(paragraphStart < 0 ? 0 : paragraphStart) + " " + after.slice(0, paragraphEnd < 0 ? after.length : paragraphEnd))
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_CONTEXT_CHARS);
  const markdownHeadings = [...before.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)].map((m) => ({ at: m.index, text: m[1]! }));
  const htmlHeadings = [...before.matchAll(/<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/gi)].map((m) => ({ at: m.index, text: m[1]!.replace(/<[^>]*>/g, "") }));
  const heading = [...markdownHeadings, ...htmlHeadings].sort((a, b) => b.at - a.at)[0]?.text.trim() ?? "";
  return { surroundingText: surrounding, heading };
}
