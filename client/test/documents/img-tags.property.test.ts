// Property test: in HTML, the <img> scanner reads the same tags and the same alt, src and title values as parse5, a
// spec-compliant HTML parser, for documents mixing tags, attribute spellings, character references, comments and
// raw-text elements; in JSX it reads a string-literal alt as JavaScript evaluates the literal.
import { fc, test } from "@fast-check/vitest";
import { parseFragment } from "parse5";
import { expect } from "vitest";
import { findImageReferences } from "../../src/documents/find-references";

interface Element {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Element[];
  content?: Element;
}

/** The alt, src and title of every <img> parse5 builds, in document order. */
function parse5Images(html: string) {
  const images: { alt?: string; src: string; title?: string }[] = [];
  const visit = (node: Element) => {
    if (node.nodeName === "img") {
      const attr = (name: string) => node.attrs?.find((a) => a.name === name)?.value;
      images.push({ alt: attr("alt"), src: attr("src") ?? "", title: attr("title") });
    }
    for (const child of node.content?.childNodes ?? node.childNodes ?? []) visit(child);
  };
  visit(parseFragment(html) as unknown as Element);
  return images;
}

const reference = fc.constantFrom(
  "&amp;",
  "&lt;",
  "&gt;",
  "&quot;",
  "&#39;",
  "&#x4E2D;",
  "&#X4e2d;",
  "&#169;",
  "&#00000065;",
  "&copy;",
  "&nosuchname;",
  "&eacute;",
  "&#0;",
  "&#xD800;",
  "&#1114112;",
);
const valueChar = fc.constantFrom(..."ab Z09-_./:=<>`{}名", " ", "\t");
const rawValue = (excluded: string) =>
  fc.array(fc.oneof(valueChar.filter((c) => !excluded.includes(c)), reference), { maxLength: 6 }).map((parts) => parts.join(""));
const attributeName = fc.constantFrom("alt", "ALT", "Alt", "src", "SRC", "title", "TiTle", "class", "data-alt", "width");
const space = fc.constantFrom(" ", "\n", "\t", "  ");
const aroundEquals = fc.constantFrom("", " ");

const attribute = fc.oneof(
  fc.tuple(attributeName, aroundEquals, rawValue('"')).map(([name, s, value]) => `${name}${s}=${s}"${value}"`),
  fc.tuple(attributeName, aroundEquals, rawValue("'")).map(([name, s, value]) => `${name}${s}=${s}'${value}'`),
  fc.tuple(attributeName, rawValue(" \t\"'=<>`").filter((v) => v !== "")).map(([name, value]) => `${name}=${value}`),
  attributeName,
  fc.constantFrom("/", '"q"', "'"),
);

const imgTag = fc
  .tuple(fc.constantFrom("img", "IMG", "Img"), fc.array(fc.tuple(space, attribute), { maxLength: 5 }), fc.constantFrom(">", " >", "/>", " />", " alt=>", " title= >"))
  .map(([name, attributes, end]) => `<${name}${attributes.map(([s, a]) => s + a).join("")}${end}`);

const other = fc.constantFrom(
  "text ",
  "a < b ",
  "<p>",
  "</p>",
  "<imgx alt=no>",
  "<img-like alt=no>",
  "<!-- <img alt=commented src=c.png> -->",
  "<!-->",
  "<!--->",
  "<textarea><img alt=in-textarea></textarea>",
  "<title><img alt=in-title></TITLE>",
  "<script>const s = \"<img alt='in script'>\";</script>",
  "<STYLE>p::after { content: '<img alt=x>' }</STYLE>",
  "<div title='<img alt=in-attribute>'>",
  "<template><img alt=templated src=t.png></template>",
);

test.prop([fc.array(fc.oneof(imgTag, other), { maxLength: 6 })], { numRuns: 300 })(
  "finds the <img> tags and their alt, src and title as an HTML parser does",
  (pieces) => {
    const html = pieces.join("");
    const scanned = findImageReferences(html, "html").map((ref) => ({ alt: ref.alt, src: ref.src, title: ref.title }));
    expect(scanned).toEqual(parse5Images(html));
  },
);

const jsPlain = fc.constantFrom(..."ab Z.-_名<>/{}[]&");
const jsEscape = fc.constantFrom("\\n", "\\t", "\\r", "\\b", "\\f", "\\v", "\\0", "\\\\", '\\"', "\\'", "\\`", "\\u0041", "\\u{1F600}", "\\x7e", "\\q", "\\\n", "\\${x}");
const jsLiteral = fc
  .tuple(fc.constantFrom('"', "'", "`"), fc.array(fc.oneof(jsPlain, jsEscape), { maxLength: 8 }))
  .map(([quote, pieces]) => quote + pieces.join("") + quote);

test.prop([jsLiteral, fc.constantFrom("", " ", "\n ")], { numRuns: 300 })(
  "reads a JSX alt={string literal} as JavaScript evaluates the literal, with its exact range",
  (literal, pad) => {
    const text = `<Card a={{ x: "}" }}><img src={src} alt={${pad}${literal}${pad}} /></Card>`;
    const [ref] = findImageReferences(text, "javascriptreact");
    expect(ref?.alt).toBe(new Function(`return ${literal}`)());
    expect(text.slice(...ref!.altRange!)).toBe(literal.slice(1, -1));
  },
);
