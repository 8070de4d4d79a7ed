import { describe, expect, it } from "vitest";
import { findImageReferences, type TextEdit } from "@llm2clip/client";
import { altTextFixes } from "../src/alttext/quick-fixes";

const apply = (text: string, edit: TextEdit) => text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]);

describe("alt-text quick fixes", () => {
  it("offers the top 3 replacements, skipping the current alt text and duplicates", () => {
    const text = "See ![a blue square](shapes/1.png).";
    const [ref] = findImageReferences(text, "markdown");
    const fixes = altTextFixes(ref!, ["A blue square", "a red circle", "a red circle ", "a large red circle", "a red disc", "a fourth"]);
    expect(fixes.map((f) => f.title)).toEqual([
      'Replace alt text with: "a red circle"',
      'Replace alt text with: "a large red circle"',
      'Replace alt text with: "a red disc"',
    ]);
    expect(apply(text, fixes[0]!.edit)).toBe("See ![a red circle](shapes/1.png).");
  });

  it("adds alt text to an img without one, and fills an empty Markdown alt", () => {
    const html = '<p><img src="a.png" width="10"></p>';
    const [tag] = findImageReferences(html, "html");
    const [fix] = altTextFixes(tag!, ['a "quoted" cat']);
    expect(fix!.title).toBe('Add alt text: "a "quoted" cat"');
    expect(apply(html, fix!.edit)).toBe('<p><img alt="a &quot;quoted&quot; cat" src="a.png" width="10"></p>');

    const markdown = "![](a.png)";
    const [image] = findImageReferences(markdown, "markdown");
    const [add] = altTextFixes(image!, ["a cat"]);
    expect(add!.title).toBe('Add alt text: "a cat"');
    expect(apply(markdown, add!.edit)).toBe("![a cat](a.png)");
  });

  it("replaces a JSX string-expression alt in its own quoting", () => {
    const tsx = "<img src={logo} alt={'old'} />";
    const [ref] = findImageReferences(tsx, "typescriptreact");
    const [fix] = altTextFixes(ref!, ["it's new"]);
    expect(apply(tsx, fix!.edit)).toBe("<img src={logo} alt={'it\\'s new'} />");
  });

  it("offers nothing for a dynamic alt", () => {
    const [ref] = findImageReferences("<img alt={caption} src='a.png' />", "javascriptreact");
    expect(altTextFixes(ref!, ["a cat"])).toEqual([]);
  });
});
