// The edit that sets an image reference's alt text, escaped for where it is written.
import type { AltSyntax, ImageReference, Range } from "./references";

export interface TextEdit {
  /** Offsets into the document the reference was found in; equal ends insert. */
  range: Range;
  newText: string;
}

/**
 * Replaces the alt text in place when the reference has one (keeping its quoting), or inserts ` alt="…"` after the tag
 * name when a tag has none. Throws for a reference whose alt cannot be edited (a dynamic JSX/Vue expression).
 */
export function altTextEdit(ref: ImageReference, alt: string): TextEdit {
  if (ref.altRange && ref.altSyntax) {
    return { range: ref.altRange, newText: escapeAlt(alt, ref.altSyntax) };
  }
  if (ref.dynamicAlt) throw new Error(`the alt text of ${ref.src || "this image"} is an expression and cannot be edited`);
  if (ref.insertAltAt === undefined) throw new Error(`no place to insert alt text for ${ref.src || "this image"}`);
  return { range: [ref.insertAltAt, ref.insertAltAt], newText: ` alt="${escapeAlt(alt, "html-double")}"` };
}

export function escapeAlt(alt: string, syntax: AltSyntax): string {
  switch (syntax) {
    case "markdown":
      // Backslash-escape what would otherwise end the label, start markup (GFM strikethrough included) or form an entity;
      // newlines would end the block.
      return alt.replace(/\s*[\r\n]\s*/g, " ").replace(/[\\[\]*_`<&!~]/g, "\\$&");
    case "html-double":
      return alt.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
    case "html-single":
      return alt.replace(/&/g, "&amp;").replace(/'/g, "&#39;");
    case "html-unquoted":
      // Not representable unquoted in general: the edit's range is the bare value, so quote it.
      return `"${escapeAlt(alt, "html-double")}"`;
    case "js-double":
      return JSON.stringify(alt).slice(1, -1);
    case "js-single":
      return JSON.stringify(alt).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
    case "js-template":
      return alt.replace(/[\\`]/g, "\\$&").replace(/\$\{/g, "\\${");
  }
}
