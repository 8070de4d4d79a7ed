// A scanner for <img> tags in HTML, Vue templates, HTML inside Markdown and JSX. It reads only what alt-text checks
// need (alt, src, title, aria-hidden, role) and keeps the exact offsets of each value. A full HTML parser would
// re-serialise or lose JSX `{expressions}`; this scanner works on the raw text, so one code path serves all four.
import { decodeNamedCharacterReference } from "decode-named-character-reference";
import type { AltSyntax, ImageReference, Range } from "./references";

export type TagDialect = "html" | "jsx";

interface AttributeValue {
  /** Decoded value; undefined when it is a dynamic expression. Boolean attributes have "". */
  value?: string;
  /** The value's content in the source, without quotes. */
  range?: Range;
  syntax?: AltSyntax;
}

const TAG_NAME = /<([A-Za-z][\w:.-]*)/y;
const ATTRIBUTE_NAME = /[^\s"'<>\/=]+/y;
const UNQUOTED_VALUE = /[^\s>]+/y;
const WHITESPACE = /\s*/y;
// Elements whose content HTML reads as text, not tags (raw text and escapable raw text, as a parser with scripting on).
const TEXT_ONLY_ELEMENT = /<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b/iy;
const UNESCAPED_SUBSTITUTION = /(?<!\\)(?:\\\\)*\$\{/;
const JS_STRING_EXPRESSION = /^(\s*)(["'`])((?:\\[\s\S]|(?!\2)[^\\])*)\2\s*$/;

/** Finds `<img>` tags in `text`; `base` is added to every offset (for text cut out of a larger document). */
export function findImgTags(text: string, base: number, dialect: TagDialect): ImageReference[] {
  const refs: ImageReference[] = [];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    if (text.startsWith("<!--", lt)) {
      // Searched from the first dash: `<!-->` and `<!--->` are empty comments to HTML.
      const close = text.indexOf("-->", lt + 2);
      i = close < 0 ? text.length : close + 3;
      continue;
    }
    const textOnly = dialect === "html" ? matchAt(TEXT_ONLY_ELEMENT, text, lt) : undefined;
    if (textOnly) {
      // A case-insensitive search in the text itself: lower-casing it would move offsets (`İ` becomes two units).
      const closing = new RegExp(`</${textOnly[1]}`, "gi");
      closing.lastIndex = lt;
      const close = closing.exec(text);
      i = close ? close.index + 2 : text.length;
      continue;
    }
    const name = matchAt(TAG_NAME, text, lt);
    const isImg = name !== undefined && (dialect === "jsx" ? name[1] === "img" : name[1]!.toLowerCase() === "img");
    // Another HTML tag is read whole, so that `<img` inside one of its quoted values is not taken for a tag. In JSX
    // only <img> is read: another element's {expression} may hold an <img>.
    const tag = name && (isImg || dialect === "html") ? readTag(text, lt + name[0].length, dialect) : "not a tag";
    // A tag the text ends inside takes the rest of the text, and HTML drops it.
    if (tag === "unterminated") break;
    if (tag === "not a tag") {
      i = lt + 1;
      continue;
    }
    if (isImg) refs.push(shift(imageReference(tag, lt, dialect), base));
    i = tag.end;
  }
  return refs;
}

interface Tag {
  /** Just after the tag name. */
  afterName: number;
  attributes: Map<string, AttributeValue>;
  /** A JSX `{...spread}` may set any attribute. */
  hasSpread: boolean;
  end: number;
}

function readTag(text: string, afterName: number, dialect: TagDialect): Tag | "not a tag" | "unterminated" {
  if (afterName < text.length && !/[\s/>]/.test(text[afterName]!)) return "not a tag";
  const attributes = new Map<string, AttributeValue>();
  let hasSpread = false;
  let p = afterName;
  for (;;) {
    p = skipWhitespace(text, p);
    if (p >= text.length) return "unterminated";
    if (text[p] === ">") {
      p += 1;
      break;
    }
    if (dialect === "jsx" && text[p] === "{") {
      hasSpread = true;
      p = skipBraces(text, p);
      continue;
    }
    const name = matchAt(ATTRIBUTE_NAME, text, p);
    if (!name) {
      p += 1;
      continue;
    }
    p += name[0].length;
    const afterSpace = skipWhitespace(text, p);
    let value: AttributeValue = { value: "" };
    if (text[afterSpace] === "=") {
      const read = readValue(text, skipWhitespace(text, afterSpace + 1), dialect);
      if (!read) return "unterminated";
      value = read.value;
      p = read.end;
    }
    const key = dialect === "jsx" ? name[0] : name[0].toLowerCase();
    if (!attributes.has(key)) attributes.set(key, value);
  }
  return { afterName, attributes, hasSpread, end: p };
}

function imageReference({ afterName, attributes, hasSpread, end }: Tag, start: number, dialect: TagDialect): ImageReference {
  const bound = (attribute: string) => attributes.has(`:${attribute}`) || attributes.has(`v-bind:${attribute}`);
  const alt = attributes.get("alt");
  const src = attributes.get("src");
  const title = attributes.get("title");
  const dynamicAlt = bound("alt") || (alt !== undefined && alt.value === undefined) || (alt === undefined && hasSpread);
  // In HTML a bare attribute (or `alt=` with no value) is the empty string, as in a parser; in JSX a bare attribute
  // is `{true}`, which React does not render as alt or title.
  const staticValue = (a: AttributeValue | undefined) => (a?.range !== undefined || dialect === "html" ? a?.value : undefined);
  const staticAlt = staticValue(alt);
  const ref: ImageReference = {
    kind: dialect === "jsx" ? "jsx" : "html",
    range: [start, end],
    src: src?.value ?? "",
    decorative: staticAlt === "" || isHidden(attributes),
    dynamicAlt,
    insertAltAt: afterName,
  };
  if (src?.range) ref.srcRange = src.range;
  if (staticAlt !== undefined) ref.alt = staticAlt;
  if (staticAlt !== undefined && alt?.range) {
    ref.altRange = alt.range;
    ref.altSyntax = alt.syntax!;
  }
  const staticTitle = staticValue(title);
  if (staticTitle !== undefined) ref.title = staticTitle;
  return ref;
}

function isHidden(attributes: Map<string, AttributeValue>): boolean {
  const ariaHidden = attributes.get("aria-hidden");
  // A bare `aria-hidden` is `aria-hidden={true}` in JSX; `aria-hidden={true}` itself is a dynamic expression we read.
  if (ariaHidden && (ariaHidden.value === "" || ariaHidden.value?.toLowerCase() === "true")) return true;
  const role = attributes.get("role")?.value?.trim().toLowerCase().split(/\s+/)[0];
  return role === "presentation" || role === "none";
}

function readValue(text: string, p: number, dialect: TagDialect): { value: AttributeValue; end: number } | undefined {
  const quote = text[p];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, p + 1);
    if (close < 0) return undefined;
    return {
      value: {
        value: decodeEntities(text.slice(p + 1, close)),
        range: [p + 1, close],
        syntax: quote === '"' ? "html-double" : "html-single",
      },
      end: close + 1,
    };
  }
  if (dialect === "jsx" && quote === "{") {
    const end = skipBraces(text, p);
    return { value: readJsExpression(text, p + 1, end - 1), end };
  }
  const unquoted = matchAt(UNQUOTED_VALUE, text, p);
  if (!unquoted) return { value: { value: "" }, end: p };
  const end = p + unquoted[0].length;
  return { value: { value: decodeEntities(unquoted[0]), range: [p, end], syntax: "html-unquoted" }, end };
}

/** `{"text"}`, `{'text'}` and `` {`text`} `` are static strings; `{true}` is read as "true"; anything else is dynamic. */
function readJsExpression(text: string, start: number, end: number): AttributeValue {
  const source = text.slice(start, end);
  if (source.trim() === "true") return { value: "true" };
  const literal = JS_STRING_EXPRESSION.exec(source);
  if (!literal) return {};
  const [, leading, quote, body] = literal as unknown as [string, string, string, string];
  if (quote === "`" && UNESCAPED_SUBSTITUTION.test(body)) return {};
  const contentStart = start + leading.length + 1;
  return {
    value: unescapeJs(body),
    range: [contentStart, contentStart + body.length],
    syntax: quote === '"' ? "js-double" : quote === "'" ? "js-single" : "js-template",
  };
}

/** Returns the offset after the `}` that closes the `{` at `p`, skipping braces inside string and template literals. */
function skipBraces(text: string, p: number): number {
  let depth = 0;
  for (let i = p; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      i = skipString(text, i);
    } else if (c === "{") {
      depth += 1;
    } else if (c === "}") {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

function unescapeJs(body: string): string {
  const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", "0": "\0" };
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_, escape: string) => {
    if (escape.startsWith("u{")) return String.fromCodePoint(parseInt(escape.slice(2, -1), 16));
    if (escape.length > 1 && (escape[0] === "u" || escape[0] === "x")) return String.fromCharCode(parseInt(escape.slice(1), 16));
    if (escape === "\n" || escape === "\r\n") return "";
    return simple[escape] ?? escape;
  });
}

/**
 * Decodes HTML character references (`&amp;`, `&#39;`, `&#x1F600;`); unknown names stay as written. A number that is
 * no character (0, a surrogate, past U+10FFFF) is U+FFFD, as in HTML.
 */
export function decodeEntities(value: string): string {
  return value.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      const isCharacter = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return isCharacter ? String.fromCodePoint(code) : "\uFFFD";
    }
    return decodeNamedCharacterReference(name) || whole;
  });
}

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text) ?? undefined;
}

function skipWhitespace(text: string, p: number): number {
  WHITESPACE.lastIndex = p;
  WHITESPACE.exec(text);
  return WHITESPACE.lastIndex;
}

function shift(ref: ImageReference, base: number): ImageReference {
  if (base === 0) return ref;
  const by = (r: Range): Range => [r[0] + base, r[1] + base];
  return {
    ...ref,
    range: by(ref.range),
    ...(ref.srcRange && { srcRange: by(ref.srcRange) }),
    ...(ref.altRange && { altRange: by(ref.altRange) }),
    ...(ref.insertAltAt !== undefined && { insertAltAt: ref.insertAltAt + base }),
  };
}
