import { describe, expect, it } from "vitest";
import { contextCandidates, readableFileName } from "../../src/alttext/context-candidates";
import { verdictOf } from "../../src/alttext/suggest";
import { Verdict } from "@llm2clip/proto";

describe("contextCandidates", () => {
  it("splits the surrounding text into sentences without markup, then adds the heading and the file name", () => {
    const candidates = contextCandidates({
      surroundingText: "Our logo is a **red circle**. See [the guide](guide.md) for colours!\n![old](x.png) 它是一个红色的圆形。",
      heading: "## Brand assets",
      fileName: "red-circle_logo.png",
    });
    expect(candidates).toEqual(["Our logo is a red circle.", "See the guide for colours!", "它是一个红色的圆形。", "Brand assets", "red circle logo"]);
  });

  it("drops file names that carry no words", () => {
    expect(readableFileName("IMG_0042.JPG")).toBeUndefined();
    expect(readableFileName("3f2a9c0d11aa.png")).toBeUndefined();
    expect(readableFileName("docs/blue_square.svg")).toBe("blue square");
  });
});

describe("verdictOf", () => {
  const thresholds = { good: 0.3, mismatch: 0.2 };
  it("applies the manifest's thresholds: good from `good` up, mismatch below `mismatch`, weak between", () => {
    expect(verdictOf("", 0.9, thresholds)).toBe(Verdict.VERDICT_MISSING);
    expect(verdictOf("a red circle", 0.3, thresholds)).toBe(Verdict.VERDICT_GOOD);
    expect(verdictOf("a red circle", 0.25, thresholds)).toBe(Verdict.VERDICT_WEAK);
    expect(verdictOf("a red circle", 0.2, thresholds)).toBe(Verdict.VERDICT_WEAK);
    expect(verdictOf("a red circle", 0.19, thresholds)).toBe(Verdict.VERDICT_MISMATCH);
  });
});
