import { describe, expect, it } from "vitest";
import { findImageReferences } from "@llm2clip/client";
import { collectionName } from "../src/indexing/collection-name";
import { referenceSnippet } from "../src/search/reference-snippet";
import { relativeImagePath } from "../src/shared/image-src";

describe("relativeImagePath", () => {
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
