// Property test: in Markdown documents with tricky labels and destinations (code spans, escapes, nested brackets,
// entities, angle-bracket and parenthesised destinations, titles, a line break before the destination, reference
// definitions), every image's ranges point at what CommonMark read there: the text at the source range decodes to the
// image's URL, and replacing the text at the alt range gives exactly the new alt on the next parse.
import { fc, test } from "@fast-check/vitest";
import { decodeString } from "micromark-util-decode-string";
import { expect } from "vitest";
import { altTextEdit } from "../../src/documents/alt-edit";
import { findImageReferences } from "../../src/documents/find-references";

const labelPiece = fc.constantFrom("a", "b c", "名", "\\[", "\\]", "`[x]`", "``a`]``", "`a```]`", "[n]", "*e*", "&amp;", "!", "(p)");
const label = fc.array(labelPiece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join(" "));
const destination = fc.constantFrom(
  "a.png",
  "dir/a(1).png",
  "a\\)b.png",
  "a&amp;b.png",
  "%20x.png",
  "<a b.png>",
  "<a\\>b.png>",
  "<>",
  "<c(.png>",
  "名.png",
);
const beforeDestination = fc.constantFrom("", " ", "\n", " \t", "\r\n");
const title = fc.constantFrom("", ' "t"', " 't]'", " (t)", '\n"on the next line"');

interface Image {
  markdown: string;
  definition: string;
}

// HTML tags in Markdown are read from their node's text: their offsets are shifted to the document's.
const htmlTag = fc.constantFrom('<img src="h&amp;1.png" alt="x">', "<img src='h2.png'>", "<img alt=y src=h3.png title=t>");

const image = (index: number) =>
  fc.oneof(
    htmlTag.map((tag): Image => ({ markdown: tag, definition: "" })),
    fc.tuple(label, beforeDestination, destination, title).map(([l, before, d, t]): Image => ({ markdown: `![${l}](${before}${d}${t})`, definition: "" })),
    fc.tuple(label, destination, title).map(([l, d, t]): Image => ({ markdown: `![${l}][r${index}]`, definition: `[r${index}]:${" "}${d}${t}\n` })),
  );

const documentOf = fc
  .integer({ min: 1, max: 3 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => image(i)), fc.constantFrom(" text ", "\n\n", " `![no](code.png)` ")))
  .map((parts) => {
    const separator = parts.at(-1) as string;
    const images = parts.slice(0, -1) as Image[];
    return images.map((i) => i.markdown).join(separator) + "\n\n" + images.map((i) => i.definition).join("");
  });

test.prop([documentOf], { numRuns: 400 })("each image's source and alt ranges point at what CommonMark read", (text) => {
  const refs = findImageReferences(text, "markdown");
  expect(refs.length, text).toBeGreaterThan(0);
  refs.forEach((ref, i) => {
    expect(ref.srcRange, text).toBeDefined();
    expect(decodeString(text.slice(...ref.srcRange!)), text).toBe(ref.src);
    const edit = altTextEdit(ref, "new alt");
    const edited = text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]);
    const again = findImageReferences(edited, "markdown");
    expect(again.map((r) => r.src), edited).toEqual(refs.map((r) => r.src));
    expect(again[i]!.alt, edited).toBe("new alt");
  });
});
