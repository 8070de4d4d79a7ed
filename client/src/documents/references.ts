// The image references found in the documents that carry alt text (Markdown, HTML, JSX/TSX and Vue templates), and
// the judgements made on them. Shared by the CLI's lint-alt and the editor's diagnostics; the finders are in
// ./find-references, the alt-text edits in ./alt-edit.
//
//   isAltMissing(ref) -> the reference needs alt text (markdownlint MD045 / axe image-alt)
//
// All offsets are UTF-16 code-unit indices into the document's text, [start, end) — the same units as JavaScript
// strings and vscode.TextDocument.positionAt.
export type ReferenceLanguage = "markdown" | "html" | "javascriptreact" | "typescriptreact" | "vue";

export const REFERENCE_LANGUAGES: readonly ReferenceLanguage[] = ["markdown", "html", "javascriptreact", "typescriptreact", "vue"];

export type Range = [start: number, end: number];

/**
 * - `markdown-inline`: `![alt](src "title")`
 * - `markdown-reference`: `![alt][ref]`, `![alt][]` or `![alt]`, resolved through a `[ref]: src "title"` definition
 * - `html`: `<img>` in HTML, in a Vue template or inside Markdown
 * - `jsx`: `<img>` in JSX/TSX, where attribute values may be `{expressions}`
 */
export type ImageReferenceKind = "markdown-inline" | "markdown-reference" | "html" | "jsx";

/** How the alt text is written, which decides how a new value must be escaped. */
export type AltSyntax =
  | "markdown" // between `![` and `]`
  | "html-double" // alt="…"
  | "html-single" // alt='…'
  | "html-unquoted" // alt=…
  | "js-double" // alt={"…"}
  | "js-single" // alt={'…'}
  | "js-template"; // alt={`…`} without substitutions

export interface ImageReference {
  kind: ImageReferenceKind;
  /** The whole reference: `![…](…)`, `![…][…]` or the `<img …>` tag. */
  range: Range;
  /** The image URL as written, with angle brackets removed and escapes/entities decoded; "" when it is dynamic. */
  src: string;
  /** Where the URL is written. For a reference-style image it lies inside the definition. Absent when dynamic. */
  srcRange?: Range;
  /** The decoded alt text. Undefined when the tag has no alt attribute or the alt is a dynamic expression. */
  alt?: string;
  /** The alt text's content in the source, without brackets or quotes. Absent when the tag has no static alt. */
  altRange?: Range;
  altSyntax?: AltSyntax;
  title?: string;
  /** Hidden from assistive technology on purpose: alt="", aria-hidden="true", role="presentation" or role="none". */
  decorative: boolean;
  /** The alt is a JSX expression, a Vue binding or may come from a spread: it cannot be judged statically. */
  dynamicAlt: boolean;
  /** For tags: the offset just after the tag name, where an `alt="…"` attribute is inserted. */
  insertAltAt?: number;
}

export function isReferenceLanguage(languageId: string): languageId is ReferenceLanguage {
  return (REFERENCE_LANGUAGES as readonly string[]).includes(languageId);
}

/**
 * True when the image needs alt text and has none: markdownlint MD045 for Markdown images, axe's image-alt for tags
 * (an alt of only spaces fails, as in axe's alt-space-value; alt="", aria-hidden and role=presentation/none pass).
 */
export function isAltMissing(ref: ImageReference): boolean {
  if (ref.decorative || ref.dynamicAlt) return false;
  return ref.alt === undefined || ref.alt.trim() === "";
}
