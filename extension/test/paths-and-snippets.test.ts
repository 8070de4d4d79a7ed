import { describe, expect, it } from "vitest";
import { findImageReferences } from "../../server/src/alttext/references";
import { referenceContext } from "../src/alttext/context";
import { collectionName } from "../src/indexing/collection-name";
import { referenceSnippet } from "../src/search/reference-snippet";
import { relativeImagePath, resolveImageSrc } from "../src/shared/image-src";

describe("resolveImageSrc", () => {
  it("resolves relative, folder-absolute and percent-encoded srcs inside the folder", () => {
    expect(resolveImageSrc("docs/guide/intro.md", "../img/a b.png")).toBe("docs/img/a b.png");
    expect(resolveImageSrc("docs/intro.md", "./shot%20one.png?raw=1#frag")).toBe("docs/shot one.png");
    expect(resolveImageSrc("docs/intro.md", "/assets/logo.svg")).toBe("assets/logo.svg");
    expect(resolveImageSrc("README.md", "img/x.png")).toBe("img/x.png");
  });

  it("refuses URLs and paths that leave the folder", () => {
    for (const src of ["https://example.com/a.png", "data:image/png;base64,AAAA", "//cdn/a.png", "../outside.png", "", "mailto:x"]) {
      expect(resolveImageSrc("README.md", src), src).toBeUndefined();
    }
  });

  it("writes a document-relative path for new references", () => {
    expect(relativeImagePath("docs/intro.md", "img/a.png")).toBe("../img/a.png");
    expect(relativeImagePath("README.md", "img/a.png")).toBe("./img/a.png");
  });
});

describe("referenceSnippet", () => {
  it("writes the syntax of the document's language", () => {
    expect(referenceSnippet("markdown", "./img/red.png", "a red [circle]")).toBe("![a red \\[circle\\]](./img/red.png)");
    expect(referenceSnippet("markdown", "./my img/a.png", "x")).toBe("![x](<./my img/a.png>)");
    expect(referenceSnippet("html", "./a.png", 'a "b"')).toBe('<img src="./a.png" alt="a &quot;b&quot;">');
    expect(referenceSnippet("typescriptreact", "./a.png", "a")).toBe('<img src="./a.png" alt="a" />');
  });

  it("produces references that the finder reads back with the same src and alt", () => {
    for (const language of ["markdown", "html", "typescriptreact"] as const) {
      const [ref] = findImageReferences(referenceSnippet(language, "./my img/a&b.png", 'a "red" [circle]'), language);
      expect(ref, language).toMatchObject({ src: "./my img/a&b.png", alt: 'a "red" [circle]' });
    }
  });
});

describe("collectionName", () => {
  it("is a valid daemon collection name, distinct for folders with the same name", () => {
    const a = collectionName("my docs (v2)", "file:///a/my%20docs");
    const b = collectionName("my docs (v2)", "file:///b/my%20docs");
    expect(a).toMatch(/^my-docs-v2-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(collectionName("文档", "file:///c")).toMatch(/^workspace-[0-9a-f]{8}$/);
    expect(collectionName("x".repeat(100), "file:///d").length).toBeLessThanOrEqual(64);
  });
});

describe("referenceContext", () => {
  it("takes the paragraph around the image and the last heading before it", () => {
    const text = "# Guide\n\n## Shapes\n\nThe logo is red.\n![a red circle](a.png) It sits on the left.\n\nNext paragraph.";
    const [ref] = findImageReferences(text, "markdown");
    expect(referenceContext(text, ref!)).toEqual({ surroundingText: "The logo is red. It sits on the left.", heading: "Shapes" });
  });

  it("reads HTML headings and strips tags", () => {
    const text = '<h2 id="x">Team <em>photo</em></h2>\n<p>Our team <img src="t.png"> in 2024.</p>';
    const [ref] = findImageReferences(text, "html");
    expect(referenceContext(text, ref!)).toEqual({ surroundingText: "Team photo Our team in 2024.", heading: "Team photo" });
  });
});
