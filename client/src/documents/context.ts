import type { AltTextContext } from "@llm2clip/proto";
import type { ImageReference } from "./references";

const MAX_SURROUNDING = 2000;

/** What a document says around an image reference: its paragraph (without the reference) and the nearest heading above. */
export function referenceContext(text: string, ref: ImageReference, fileName: string): AltTextContext {
  const [start, end] = ref.range;
  const before = text.lastIndexOf("\n\n", start);
  const after = text.indexOf("\n\n", end);
  const paragraph = (text.slice(before < 0 ? 0 : before, start) + " " + text.slice(end, after < 0 ? text.length : after)).trim();
  return { surroundingText: paragraph.slice(0, MAX_SURROUNDING), heading: nearestHeading(text.slice(0, start)), fileName };
}

function nearestHeading(before: string): string {
  let heading = "";
  let at = -1;
  for (const match of before.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    if (match.index! > at) [at, heading] = [match.index!, match[1]!];
  }
  for (const match of before.matchAll(/<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/gi)) {
    if (match.index! > at) [at, heading] = [match.index!, match[1]!.replace(/<[^>]+>/g, "").trim()];
  }
  return heading;
}

/** 1-based line and column (in UTF-16 units) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
