// The text read in a collection's images (OCR): stored per content, replaced by a new reading, dropped with its
// content, and found again by substring through the trigram index.
import { describe, expect, it } from "vitest";
import { Collection, openDatabase, type TextLineRecord } from "../../src/store/collection";
import { MODEL, asset, content, scratchFolder, sha, unit } from "./collection-fixtures";

const scratch = scratchFolder();
const line = (text: string): TextLineRecord => ({ text, confidence: 0.9, box: { x: 1, y: 2, width: 30, height: 8 } });

function withContents(count: number): Collection {
  const c = new Collection("c", openDatabase(scratch.file()), MODEL);
  for (let n = 1; n <= count; n++) c.addContent(content(n, unit(n, 1)), [asset(`${n}.png`, n)]);
  return c;
}

describe("Collection text records", () => {
  it("stores the lines read in a content, or why none could be read, and keeps them across reopening", () => {
    const c = withContents(2);
    expect(c.text(sha(1))).toBeUndefined();
    expect(c.textsRead).toBe(0);
    expect(c.recordText(sha(1), { lines: [line("EXIT"), line("出口")] }, "exit 出口")).toBe(true);
    expect(c.recordText(sha(2), { lines: [], error: "the OCR model failed" }, "")).toBe(true);
    expect(c.text(sha(1))).toEqual({ lines: [line("EXIT"), line("出口")] });
    expect(c.text(sha(2))).toEqual({ lines: [], error: "the OCR model failed" });
    expect(c.textsRead).toBe(2);
    c.close();
    const reopened = new Collection("c", openDatabase(scratch.file()), MODEL);
    expect(reopened.text(sha(1))).toEqual({ lines: [line("EXIT"), line("出口")] });
    expect(reopened.textsRead).toBe(2);
    reopened.close();
  });

  it("replaces an earlier reading, and ignores a content that has left the collection", () => {
    const c = withContents(2);
    c.recordText(sha(1), { lines: [], error: "timed out" }, "");
    c.recordText(sha(1), { lines: [line("STOP")] }, "stop");
    expect(c.text(sha(1))).toEqual({ lines: [line("STOP")] });
    expect(c.textsRead).toBe(1);
    expect(c.textCandidates(["stop"], [], 10).map((t) => t.sha256)).toEqual([sha(1)]);
    expect(c.recordText(sha(9), { lines: [line("ghost")] }, "ghost")).toBe(false);
    expect(c.text(sha(9))).toBeUndefined();
    expect(c.textsRead).toBe(1);
    c.close();
  });

  it("drops a content's text with the content", () => {
    const c = withContents(2);
    c.recordText(sha(1), { lines: [line("EXIT")] }, "exit");
    c.applyPaths([], ["1.png"]);
    expect(c.text(sha(1))).toBeUndefined();
    expect(c.textsRead).toBe(0);
    expect(c.textCandidates(["exit"], [], 10)).toEqual([]);
    c.close();
  });
});

describe("Collection.textCandidates", () => {
  const searchable = ["red exit sign", "green exit door", "red stop sign", "左上角的出口"];
  const filled = () => {
    const c = withContents(searchable.length);
    searchable.forEach((text, i) => c.recordText(sha(i + 1), { lines: [line(text)] }, text));
    return c;
  };
  const found = (c: Collection, required: string[], anyOf: string[], limit = 10) =>
    c
      .textCandidates(required, anyOf, limit)
      .map((t) => t.searchable)
      .sort();

  it("finds the contents whose text holds every required substring, case-insensitively", () => {
    const c = filled();
    expect(found(c, ["exit"], [])).toEqual(["green exit door", "red exit sign"]);
    expect(found(c, ["RED", "sign"], [])).toEqual(["red exit sign", "red stop sign"]);
    expect(found(c, ["red", "door"], [])).toEqual([]);
    expect(found(c, ["出口"], [])).toEqual(["左上角的出口"]);
    c.close();
  });

  it("with alternatives, also needs one of them", () => {
    const c = filled();
    expect(found(c, [], ["door", "stop"])).toEqual(["green exit door", "red stop sign"]);
    expect(found(c, ["sign"], ["exit", "出口"])).toEqual(["red exit sign"]);
    c.close();
  });

  it("returns the lines with each candidate, at most `limit`, and nothing for no terms", () => {
    const c = filled();
    const [candidate] = c.textCandidates(["stop"], [], 10);
    expect(candidate).toEqual({ sha256: sha(3), lines: [line("red stop sign")], searchable: "red stop sign" });
    expect(c.textCandidates(["sign"], [], 1)).toHaveLength(1);
    expect(c.textCandidates([], [], 10)).toEqual([]);
    c.close();
  });
});
