import { TextStatus } from "@llm2clip/proto";
import { describe, expect, it } from "vitest";
import { imageTextMarkdown, snippetLabel } from "../src/shared/image-text";

const line = (text: string) => ({ text, confidence: 0.9, box: { x: 0, y: 0, width: 10, height: 10 } });

describe("the hover's image text", () => {
  it("quotes the lines read, escaped, and says how many more there are", () => {
    expect(imageTextMarkdown({ status: TextStatus.TEXT_STATUS_READ, lines: [line("Deploy settings"), line("Save *changes*")], error: "" })).toBe(
      "**Text in the image:**\n\n> Deploy settings  \n> Save \\*changes\\*",
    );
    const many = imageTextMarkdown({ status: TextStatus.TEXT_STATUS_READ, lines: Array.from({ length: 15 }, (_, i) => line(`line ${i}`)), error: "" })!;
    expect(many.match(/^> /gm)).toHaveLength(12);
    expect(many.endsWith("_…and 3 more lines._")).toBe(true);
  });

  it("says when the image shows no text, is queued or failed, and says nothing when OCR did not run", () => {
    expect(imageTextMarkdown({ status: TextStatus.TEXT_STATUS_READ, lines: [], error: "" })).toBe("_No text in the image._");
    expect(imageTextMarkdown({ status: TextStatus.TEXT_STATUS_PENDING, lines: [], error: "" })).toContain("not read yet");
    expect(imageTextMarkdown({ status: TextStatus.TEXT_STATUS_FAILED, lines: [], error: "image: is 100x30000" })).toBe(
      "_Text in the image could not be read: image: is 100x30000._",
    );
    expect(imageTextMarkdown({ status: TextStatus.TEXT_STATUS_NOT_READ, lines: [], error: "" })).toBeUndefined();
  });
});

describe("a hit's snippet", () => {
  it("quotes the matched text on one line, shortened", () => {
    expect(snippetLabel("Open the\n Command  Palette")).toBe("“Open the Command Palette”");
    const long = snippetLabel("word ".repeat(40));
    expect(long.length).toBe(82);
    expect(long.endsWith("…”")).toBe(true);
  });
});
