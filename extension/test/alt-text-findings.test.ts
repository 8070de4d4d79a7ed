import { Verdict } from "@llm2clip/proto";
import { describe, expect, it } from "vitest";
import { findImageReferences } from "@llm2clip/client";
import { missingFinding, severityFor, verdictFinding, type AltCheck } from "../src/alttext/findings";

const thresholds = { good: 0.3, mismatch: 0.2 };
const check = (verdict: Verdict, cosine: number, suggestions: string[] = []): AltCheck => ({ verdict, cosine, thresholds, suggestions });

describe("verdict -> finding", () => {
  const text = "# Shapes\n\n![a blue square](img/red-circle.png)\n";
  const [ref] = findImageReferences(text, "markdown");

  it("gives no finding for a good alt text or an unknown verdict", () => {
    expect(verdictFinding(ref!, check(Verdict.VERDICT_GOOD, 0.41))).toBeUndefined();
    expect(verdictFinding(ref!, check(Verdict.VERDICT_UNSPECIFIED, 0))).toBeUndefined();
    expect(verdictFinding(ref!, check(Verdict.UNRECOGNIZED, 0))).toBeUndefined();
  });

  it("reports a mismatch on the alt text's range, with the score, the threshold and the best different suggestion", () => {
    const finding = verdictFinding(ref!, check(Verdict.VERDICT_MISMATCH, 0.0734, ["a blue square", "a large red circle", "a red circle"]));
    expect(finding).toEqual({
      kind: "mismatch",
      range: ref!.altRange,
      message: 'Alt text "a blue square" does not describe the image (score 0.073 < 0.20). Suggested: "a large red circle".',
    });
    expect(text.slice(...finding!.range)).toBe("a blue square");
  });

  it("reports a weak alt text with the good threshold", () => {
    const finding = verdictFinding(ref!, check(Verdict.VERDICT_WEAK, 0.25, ["a red circle"]));
    expect(finding?.kind).toBe("weak");
    expect(finding?.message).toBe('Alt text "a blue square" only weakly describes the image (score 0.250; good is ≥ 0.30). Suggested: "a red circle".');
  });

  it("maps a MISSING verdict and a locally missing alt to a finding on the whole reference", () => {
    const [empty] = findImageReferences('<img src="logo.png">', "html");
    const finding = missingFinding(empty!, check(Verdict.VERDICT_MISSING, 0, ["a logo"]));
    expect(finding.kind).toBe("missing");
    expect(finding.range).toEqual([0, 20]);
    expect(finding.message).toBe('Image logo.png has no alt text (alt="" marks a decorative image). Suggested: "a logo".');
    const [markdown] = findImageReferences("![](shot.png)", "markdown");
    expect(missingFinding(markdown!).message).toBe("Image shot.png has no alt text.");
    expect(verdictFinding(empty!, check(Verdict.VERDICT_MISSING, 0))?.kind).toBe("missing");
  });

  it("takes each kind's severity from the settings, including off", () => {
    const settings = { missing: "error", weak: "off", mismatch: "warning" } as const;
    expect(severityFor("missing", settings)).toBe("error");
    expect(severityFor("weak", settings)).toBe("off");
    expect(severityFor("mismatch", settings)).toBe("warning");
  });
});
