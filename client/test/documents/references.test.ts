import { describe, expect, it } from "vitest";
import { altTextEdit, type TextEdit } from "../../src/documents/alt-edit";
import { findImageReferences } from "../../src/documents/find-references";
import { REFERENCE_LANGUAGES, isAltMissing, isReferenceLanguage, type ImageReference, type Range } from "../../src/documents/references";

const cut = (text: string, range: Range | undefined) => (range ? text.slice(range[0], range[1]) : undefined);
const apply = (text: string, edit: TextEdit) => text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]);
const only = (refs: ImageReference[]) => {
  expect(refs).toHaveLength(1);
  return refs[0]!;
};

describe("Markdown images", () => {
  it("finds an inline image with a title, with exact ranges", () => {
    const text = 'Intro\n\n![A red circle](img/red.png "The title") after';
    const ref = only(findImageReferences(text, "markdown"));
    expect(ref).toMatchObject({ kind: "markdown-inline", src: "img/red.png", alt: "A red circle", title: "The title", decorative: false });
    expect(ref.range).toEqual([7, 47]);
    expect(cut(text, ref.range)).toBe('![A red circle](img/red.png "The title")');
    expect(ref.altRange).toEqual([9, 21]);
    expect(cut(text, ref.srcRange)).toBe("img/red.png");
    expect(isAltMissing(ref)).toBe(false);
  });

  it("reads angle-bracket destinations with spaces", () => {
    const text = "![two words](<my images/a b.png> 'single')";
    const ref = only(findImageReferences(text, "markdown"));
    expect(ref.src).toBe("my images/a b.png");
    expect(cut(text, ref.srcRange)).toBe("my images/a b.png");
    expect(ref.title).toBe("single");
  });

  it("resolves reference-style images through their definitions, case-insensitively, first definition winning", () => {
    const text = "See ![Full][Logo] and ![collapsed][] and ![shortcut].\n\n[logo]: ./logo.svg \"Logo title\"\n[collapsed]: <c d.png>\n[shortcut]: s.gif\n[LOGO]: ignored.png\n";
    const refs = findImageReferences(text, "markdown");
    expect(refs.map((r) => [r.kind, r.src, r.alt])).toEqual([
      ["markdown-reference", "./logo.svg", "Full"],
      ["markdown-reference", "c d.png", "collapsed"],
      ["markdown-reference", "s.gif", "shortcut"],
    ]);
    expect(cut(text, refs[0]!.range)).toBe("![Full][Logo]");
    expect(cut(text, refs[0]!.altRange)).toBe("Full");
    expect(cut(text, refs[0]!.srcRange)).toBe("./logo.svg");
    expect(refs[0]!.title).toBe("Logo title");
    expect(cut(text, refs[1]!.srcRange)).toBe("c d.png");
    expect(cut(text, refs[2]!.range)).toBe("![shortcut]");
    expect(cut(text, refs[2]!.altRange)).toBe("shortcut");
  });

  it("ignores a reference without a definition, and images in code", () => {
    const text = "![nope][missing]\n\n```md\n![in fence](a.png)\n```\n\n    ![indented](b.png)\n\nand `![span](c.png)` here\n";
    expect(findImageReferences(text, "markdown")).toEqual([]);
  });

  it("keeps brackets, escapes and code spans inside the alt range", () => {
    const text = "![a [nested] \\] `]` alt](x.png)";
    const ref = only(findImageReferences(text, "markdown"));
    expect(cut(text, ref.altRange)).toBe("a [nested] \\] `]` alt");
    expect(ref.alt).toBe("a [nested] ] ] alt");
    expect(ref.src).toBe("x.png");
  });

  it("reads destinations with balanced parentheses and escapes", () => {
    const text = "![p](a_(1)\\).png)";
    const ref = only(findImageReferences(text, "markdown"));
    expect(ref.src).toBe("a_(1)).png");
    expect(cut(text, ref.srcRange)).toBe("a_(1)\\).png");
  });

  it("flags an empty Markdown alt as missing and passes a whitespace-only one, as MD045 does", () => {
    const text = "![](empty.png) and ![   ](spaces.png) and ![&nbsp;](nbsp.png)";
    const refs = findImageReferences(text, "markdown");
    expect(refs.map(isAltMissing)).toEqual([true, false, false]);
    expect(refs[0]!.altRange).toEqual([2, 2]);
  });

  it("reads GFM: images in footnotes and table cells", () => {
    const text = "A note.[^1]\n\n| a | b |\n| - | - |\n| ![cell](c.png) | x |\n\n[^1]: ![](f.png)\n";
    expect(findImageReferences(text, "markdown").map((r) => [r.src, isAltMissing(r)])).toEqual([
      ["c.png", false],
      ["f.png", true],
    ]);
  });

  it("reads MDX's JSX tags: a static expression is alt text, and <IMG> is a component", () => {
    const text = '# MDX\n\n<img src="a.png" alt={"An expression"} />\n\n<IMG src="b.png" />\n';
    const refs = findImageReferences(text, "mdx");
    expect(refs.map((r) => [r.src, r.alt])).toEqual([["a.png", "An expression"]]);
  });

  it("reads MDX paragraphs as JSX once each, in source order, but not code spans or fenced code", () => {
    const text = [
      'Text <img src="a.png" alt="A" /> then ![md](m.png), `<img src="code.png" />` and <img src={b} alt={"B"} />.',
      "",
      "```jsx",
      '<img src="fenced.png" />',
      "```",
      "",
      '<img src="block.png" />',
    ].join("\n");
    const refs = findImageReferences(text, "mdx");
    expect(refs.map((r) => [r.kind, r.src, r.alt])).toEqual([
      ["jsx", "a.png", "A"],
      ["markdown-inline", "m.png", "md"],
      ["jsx", "", "B"],
      ["jsx", "block.png", undefined],
    ]);
  });

  it("finds an image in a GFM footnote, and gives no title where none is written", () => {
    const text = "Text.[^1]\n\n[^1]: See ![](f.png) and ![r][def].\n\n[def]: r.png\n";
    const refs = findImageReferences(text, "markdown");
    expect(refs.map((r) => [r.src, r.alt, r.title])).toEqual([
      ["f.png", "", undefined],
      ["r.png", "r", undefined],
    ]);
    expect(refs.map((r) => "title" in r)).toEqual([false, false]);
  });

  it("finds images inside links, lists and block quotes", () => {
    const text = "- item ![in list](l.png)\n\n> ![quoted](q.png)\n\n[![linked](k.png)](https://example.com)\n";
    const refs = findImageReferences(text, "markdown");
    expect(refs.map((r) => cut(text, r.range))).toEqual(["![in list](l.png)", "![quoted](q.png)", "![linked](k.png)"]);
  });

  it("finds HTML images inside Markdown, block and inline, but not in comments or code", () => {
    const text = [
      "# Title",
      "",
      '<p align="center">',
      '  <img src="block.png" alt="Block image" width="80">',
      "</p>",
      "",
      'Inline <img src="inline.png"> here and <!-- <img src="commented.png"> -->',
      "",
      '`<img src="code.png">`',
    ].join("\n");
    const refs = findImageReferences(text, "markdown");
    expect(refs.map((r) => [r.kind, r.src, r.alt])).toEqual([
      ["html", "block.png", "Block image"],
      ["html", "inline.png", undefined],
    ]);
    expect(cut(text, refs[0]!.altRange)).toBe("Block image");
    expect(cut(text, refs[1]!.range)).toBe('<img src="inline.png">');
    expect(isAltMissing(refs[1]!)).toBe(true);
  });

  it("handles CRLF line endings and non-ASCII text with UTF-16 offsets", () => {
    const text = "# 标题 🎨\r\n\r\n![红色圆形 🔴](图/红.png)\r\n";
    const ref = only(findImageReferences(text, "markdown"));
    expect(cut(text, ref.altRange)).toBe("红色圆形 🔴");
    expect(cut(text, ref.srcRange)).toBe("图/红.png");
  });
});

describe("HTML images", () => {
  it("reads quoted, single-quoted and unquoted attributes with exact ranges and decoded entities", () => {
    const text = `<IMG SRC='a.png' ALT="Tom &amp; Jerry&#39;s &quot;show&quot;" title=Plain>\n<img alt=bare src=b.png />`;
    const refs = findImageReferences(text, "html");
    expect(refs).toHaveLength(2);
    expect(refs[0]).toMatchObject({ kind: "html", src: "a.png", alt: `Tom & Jerry's "show"`, title: "Plain", altSyntax: "html-double" });
    expect(cut(text, refs[0]!.altRange)).toBe("Tom &amp; Jerry&#39;s &quot;show&quot;");
    expect(cut(text, refs[0]!.srcRange)).toBe("a.png");
    expect(cut(text, refs[0]!.range)).toBe(text.split("\n")[0]);
    expect(refs[1]).toMatchObject({ src: "b.png", alt: "bare", altSyntax: "html-unquoted" });
    expect(cut(text, refs[1]!.range)).toBe("<img alt=bare src=b.png />");
  });

  it("treats alt=\"\", aria-hidden and role=presentation/none as decorative (axe), and alt=\" \" as missing", () => {
    const text = [
      '<img src="1.png" alt="">',
      '<img src="2.png" aria-hidden="true">',
      '<img src="3.png" role="presentation">',
      '<img src="4.png" role="none">',
      '<img src="5.png" alt=" ">',
      '<img src="6.png" aria-hidden="false">',
      '<img src="7.png">',
    ].join("\n");
    const refs = findImageReferences(text, "html");
    expect(refs.map((r) => r.decorative)).toEqual([true, true, true, true, false, false, false]);
    expect(refs.map(isAltMissing)).toEqual([false, false, false, false, true, true, true]);
  });

  it("reads a bare alt, or alt= with no value, as the empty alt of a decorative image, as HTML parsers do", () => {
    const text = '<img src="1.png" alt>\n<img alt= >\n<img alt title src="3.png">';
    const refs = findImageReferences(text, "html");
    expect(refs.map((r) => [r.alt, r.altRange, r.decorative, isAltMissing(r)])).toEqual([
      ["", undefined, true, false],
      ["", undefined, true, false],
      ["", undefined, true, false],
    ]);
    expect(refs[2]!.title).toBe("");
  });

  it("finds the end of a script by its own offsets, past text that lower-cases to more characters", () => {
    const text = `<script>const city = "${"İ".repeat(20)}";</script><img src="after.png" alt="After">`;
    expect(only(findImageReferences(text, "html")).src).toBe("after.png");
  });

  it("does not take <img inside another tag's quoted attribute for a tag", () => {
    const text = `<div title='<img src="no.png">' data-x="<img src=no2.png>"><img src="yes.png" alt="yes"></div>`;
    expect(only(findImageReferences(text, "html")).src).toBe("yes.png");
  });

  it("skips comments, scripts and styles, and tags that only start with img", () => {
    const text = '<!-- <img src="c.png"> --><script>const s = "<img src=x.png>";</script><style>/* <img> */</style><imgx src="n.png"><img src="y.png" alt="yes">';
    const ref = only(findImageReferences(text, "html"));
    expect(ref.src).toBe("y.png");
  });

  it("reads attributes across lines and ignores an unterminated tag", () => {
    const text = '<img\n  src="multi.png"\n  alt="across\nlines"\n>\n<img src="broken.png" alt="x';
    const ref = only(findImageReferences(text, "html"));
    expect(ref.alt).toBe("across\nlines");
    expect(cut(text, ref.altRange)).toBe("across\nlines");
  });
});

describe("JSX and Vue images", () => {
  it("reads string attributes and static string expressions", () => {
    const text = `export const A = () => (<div>\n  <img src="/a.png" alt={"A \\"quoted\\" cat"} />\n  <img src={'/b.png'} alt='single' />\n  <img src={\`/c.png\`} alt={\`template\`}/>\n</div>);`;
    const refs = findImageReferences(text, "typescriptreact");
    expect(refs.map((r) => [r.kind, r.src, r.alt, r.altSyntax])).toEqual([
      ["jsx", "/a.png", 'A "quoted" cat', "js-double"],
      ["jsx", "/b.png", "single", "html-single"],
      ["jsx", "/c.png", "template", "js-template"],
    ]);
    expect(cut(text, refs[0]!.altRange)).toBe('A \\"quoted\\" cat');
    expect(cut(text, refs[1]!.srcRange)).toBe("/b.png");
  });

  it("treats expressions and spreads as dynamic, and braces inside strings do not end an expression", () => {
    const text = `<img src={logo} alt={t("a } b")} /><img {...props} src="s.png" /><img src="x.png" alt={\`\${name} photo\`} />`;
    const refs = findImageReferences(text, "javascriptreact");
    expect(refs).toHaveLength(3);
    expect(refs.map((r) => [r.dynamicAlt, r.alt, isAltMissing(r)])).toEqual([
      [true, undefined, false],
      [true, undefined, false],
      [true, undefined, false],
    ]);
    expect(refs[0]!.src).toBe("");
    expect(cut(text, refs[0]!.range)).toBe(`<img src={logo} alt={t("a } b")} />`);
  });

  it("only matches the lower-case img element in JSX, and reads aria-hidden forms", () => {
    const text = `<Img src="c.png" /><img src="h.png" aria-hidden /><img src="i.png" aria-hidden={true} /><img src="m.png" />`;
    const refs = findImageReferences(text, "javascriptreact");
    expect(refs.map((r) => [r.src, r.decorative, isAltMissing(r)])).toEqual([
      ["h.png", true, false],
      ["i.png", true, false],
      ["m.png", false, true],
    ]);
  });

  it("reads a bare JSX alt as alt={true}, which is no alt text, and finds an <img> inside another element's expression", () => {
    const text = `<img src="b.png" alt /><Card media={<img src="inner.png" alt="Inner" />} />`;
    const refs = findImageReferences(text, "javascriptreact");
    expect(refs.map((r) => [r.src, r.alt, r.decorative, isAltMissing(r)])).toEqual([
      ["b.png", undefined, false, true],
      ["inner.png", "Inner", false, false],
    ]);
  });

  it("reads aria-hidden={expression} as unknown, and aria-hidden={ true } as hidden", () => {
    const text = `<img src="x.png" aria-hidden={hidden} /><img src="y.png" aria-hidden={ true } />`;
    const refs = findImageReferences(text, "typescriptreact");
    expect(refs.map((r) => [r.src, r.decorative, isAltMissing(r)])).toEqual([
      ["x.png", false, true],
      ["y.png", true, false],
    ]);
  });

  it("finds images in Vue templates and treats bound alt as dynamic", () => {
    const text = `<template>\n  <img src="@/assets/logo.png" alt="Vue logo">\n  <img :src="url" :alt="caption">\n  <img src="x.png">\n</template>\n<script setup>const s = '<img src="no.png">'</script>`;
    const refs = findImageReferences(text, "vue");
    expect(refs.map((r) => [r.src, r.alt, r.dynamicAlt, isAltMissing(r)])).toEqual([
      ["@/assets/logo.png", "Vue logo", false, false],
      ["", undefined, true, false],
      ["x.png", undefined, false, true],
    ]);
  });
});

describe("altTextEdit", () => {
  it("replaces Markdown alt text, escaping what would break the label", () => {
    const text = "![old](a.png)";
    const ref = only(findImageReferences(text, "markdown"));
    const edited = apply(text, altTextEdit(ref, "a [big] *red* circle"));
    expect(edited).toBe("![a \\[big\\] \\*red\\* circle](a.png)");
    expect(only(findImageReferences(edited, "markdown")).alt).toBe("a [big] *red* circle");
  });

  it("fills an empty Markdown alt and a reference-style alt", () => {
    const text = "![](a.png) ![x][r]\n\n[r]: b.png";
    const [inline, reference] = findImageReferences(text, "markdown");
    expect(apply(text, altTextEdit(inline!, "a cat"))).toBe("![a cat](a.png) ![x][r]\n\n[r]: b.png");
    expect(apply(text, altTextEdit(reference!, "a dog"))).toBe("![](a.png) ![a dog][r]\n\n[r]: b.png");
  });

  it("refuses to edit an alt that is an expression, naming the image", () => {
    const [bound, unnamed] = findImageReferences(`<img src="b.png" :alt="caption"><img :src="u" :alt="c">`, "vue");
    expect(() => altTextEdit(bound!, "x")).toThrow(new Error("the alt text of b.png is an expression and cannot be edited"));
    expect(() => altTextEdit(unnamed!, "x")).toThrow(new Error("the alt text of this image is an expression and cannot be edited"));
    const nowhere: ImageReference = { kind: "markdown-inline", range: [0, 1], src: "", decorative: false, dynamicAlt: false };
    expect(() => altTextEdit(nowhere, "x")).toThrow(new Error("no place to insert alt text for this image"));
    expect(() => altTextEdit({ ...nowhere, src: "n.png" }, "x")).toThrow(new Error("no place to insert alt text for n.png"));
  });

  it("inserts alt after the tag name when an HTML or JSX tag has none", () => {
    const text = '<img src="a.png">';
    const edit = altTextEdit(only(findImageReferences(text, "html")), 'say "hi" & go');
    expect(edit).toEqual({ range: [4, 4], newText: ' alt="say &quot;hi&quot; &amp; go"' });
    const edited = apply(text, edit);
    expect(edited).toBe('<img alt="say &quot;hi&quot; &amp; go" src="a.png">');
    expect(only(findImageReferences(edited, "html")).alt).toBe('say "hi" & go');
  });

  it("keeps each quoting style and round-trips the value", () => {
    const cases: Array<[string, "html" | "typescriptreact"]> = [
      ["<img alt='old' src=a.png>", "html"],
      ["<img alt=old src=a.png>", "html"],
      ['<img alt={"old"} />', "typescriptreact"],
      ["<img alt={'old'} />", "typescriptreact"],
      ["<img alt={`old`} />", "typescriptreact"],
    ];
    const value = `it's a "big" \\ \`x\` \${y} & z`;
    for (const [text, language] of cases) {
      const edited = apply(text, altTextEdit(only(findImageReferences(text, language)), value));
      expect(only(findImageReferences(edited, language)).alt, edited).toBe(value);
    }
  });

  it("refuses to edit a dynamic alt", () => {
    const ref = only(findImageReferences("<img alt={caption} />", "javascriptreact"));
    expect(() => altTextEdit(ref, "x")).toThrow(/expression/);
  });
});

describe("reference languages", () => {
  it("are exactly the six documented VS Code language ids", () => {
    expect([...REFERENCE_LANGUAGES]).toEqual(["markdown", "mdx", "html", "javascriptreact", "typescriptreact", "vue"]);
    for (const id of REFERENCE_LANGUAGES) expect(isReferenceLanguage(id)).toBe(true);
    for (const id of ["plaintext", "typescript", "Markdown", ""]) expect(isReferenceLanguage(id)).toBe(false);
  });
});
