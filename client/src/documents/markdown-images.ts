// Markdown images, parsed by micromark with GFM, as markdownlint parses them (CommonMark: code spans and fences, escapes,
// titles, reference definitions, containers; GFM: tables, footnotes, autolinks). mdast gives each node's exact offsets and decoded url/alt/title; the alt's and the URL's own offsets
// are then read from the source, starting at the node, with the same CommonMark rules.
import type { Definition, Nodes } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { findImgTags, type TagDialect } from "./img-tags";
import type { ImageReference, Range } from "./references";

/**
 * `tagDialect` reads the tags in raw HTML: "jsx" for MDX. There a tag such as `<img alt={"…"} />` is not valid HTML,
 * so CommonMark leaves it in a paragraph's text: MDX paragraphs are scanned whole, code spans excepted.
 */
export function findMarkdownImages(text: string, tagDialect: TagDialect): ImageReference[] {
  const tree = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const definitions = new Map<string, Definition>();
  walk(tree, (node) => {
    // CommonMark: the first definition of a label wins.
    if (node.type === "definition" && !definitions.has(node.identifier)) definitions.set(node.identifier, node);
  });

  const refs: ImageReference[] = [];
  const tags: ImageReference[] = [];
  const code: Range[] = [];
  walk(tree, (node) => {
    // fromMarkdown gives every node its offsets.
    const start = node.position!.start.offset!;
    const end = node.position!.end.offset!;
    if (node.type === "image") {
      const altEnd = labelEnd(text, start + 2, end);
      const ref: ImageReference = {
        kind: "markdown-inline",
        range: [start, end],
        src: node.url,
        srcRange: destinationRange(text, skipSpace(text, altEnd + 2)),
        alt: node.alt ?? "",
        altRange: [start + 2, altEnd],
        altSyntax: "markdown",
        decorative: false,
        dynamicAlt: false,
      };
      if (node.title != null) ref.title = node.title;
      refs.push(ref);
    } else if (node.type === "imageReference") {
      const definition = definitions.get(node.identifier);
      const ref: ImageReference = {
        kind: "markdown-reference",
        range: [start, end],
        src: definition?.url ?? "",
        alt: node.alt ?? "",
        altRange: [start + 2, labelEnd(text, start + 2, end)],
        altSyntax: "markdown",
        decorative: false,
        dynamicAlt: false,
      };
      const definitionStart = definition?.position?.start.offset;
      if (definitionStart !== undefined) {
        const colon = labelEnd(text, definitionStart + 1, text.length) + 1;
        ref.srcRange = destinationRange(text, skipSpace(text, colon + 1));
      }
      if (definition?.title != null) ref.title = definition.title;
      refs.push(ref);
    } else if (node.type === "html" || (tagDialect === "jsx" && node.type === "paragraph")) {
      tags.push(...findImgTags(text.slice(start, end), start, tagDialect));
    } else if (node.type === "inlineCode") {
      code.push([start, end]);
    }
  });
  const seen = new Set<number>();
  for (const tag of tags) {
    if (seen.has(tag.range[0]) || code.some(([start, end]) => start <= tag.range[0] && tag.range[0] < end)) continue;
    seen.add(tag.range[0]);
    refs.push(tag);
  }
  return refs.sort((a, b) => a.range[0] - b.range[0]);
}

function walk(node: Nodes, visit: (node: Nodes) => void): void {
  visit(node);
  if ("children" in node) for (const child of node.children) walk(child, visit);
}

/** The offset of the `]` that closes a link label whose content starts at `p`; code spans and escapes hide brackets. */
function labelEnd(text: string, p: number, limit: number): number {
  let depth = 0;
  let i = p;
  while (i < limit) {
    const c = text[i];
    if (c === "\\") {
      i += 2;
    } else if (c === "`") {
      const run = backtickRun(text, i);
      const close = closingBacktickRun(text, i + run, run, limit);
      i = close < 0 ? i + run : close + run;
    } else if (c === "[") {
      depth += 1;
      i += 1;
    } else if (c === "]") {
      if (depth === 0) return i;
      depth -= 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  return limit;
}

function backtickRun(text: string, p: number): number {
  let n = 0;
  while (text[p + n] === "`") n += 1;
  return n;
}

function closingBacktickRun(text: string, from: number, length: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    if (text[i] !== "`") continue;
    const run = backtickRun(text, i);
    if (run === length) return i;
    i += run - 1;
  }
  return -1;
}

/** Spaces, tabs and at most one line ending, as allowed before a link destination. */
function skipSpace(text: string, p: number): number {
  let i = p;
  let lineEndings = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t") i += 1;
    else if ((c === "\n" || c === "\r") && lineEndings === 0) {
      lineEndings += 1;
      i += text.startsWith("\r\n", i) ? 2 : 1;
    } else break;
  }
  return i;
}

/** The content range of a link destination starting at `p`: `<…>` without the brackets, or a raw destination. */
function destinationRange(text: string, p: number): Range {
  if (text[p] === "<") {
    let i = p + 1;
    while (i < text.length && text[i] !== ">" && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
    return [p + 1, i];
  }
  let depth = 0;
  let i = p;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (/[\s\x00-\x1f]/.test(c)) break;
    if (c === "(") depth += 1;
    if (c === ")") {
      if (depth === 0) break;
      depth -= 1;
    }
    i += 1;
  }
  return [p, i];
}
