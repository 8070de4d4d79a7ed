import { Verdict } from "@llm2clip/proto";
import { describe, expect, it } from "vitest";
import { findImageReferences } from "@llm2clip/client";
import {
  antiPatternFinding,
  betterSuggestions,
  contradictionFinding,
  missingFinding,
  severityFor,
  unreadableFinding,
  verdictFinding,
  type AltCheck,
  type SeveritySettings,
} from "../src/alttext/findings";

const thresholds = { good: 0.3, mismatch: 0.2 };
const check = (verdict: Verdict, cosine: number, suggestions: string[] = [], confidence = 0.9, domain?: AltCheck["domain"]): AltCheck => ({
  verdict,
  cosine,
  confidence,
  thresholds,
  suggestions,
  ...(domain && { domain }),
});

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
      rule: "alt-mismatch",
      severity: "warning",
      range: ref!.altRange,
      message: 'Alt text "a blue square" does not describe the image (score 0.073 < 0.20, confidence 0.90). Suggested: "a large red circle".',
    });
    expect(text.slice(...finding!.range)).toBe("a blue square");
  });

  it("reports a weak alt text with the good threshold", () => {
    const finding = verdictFinding(ref!, check(Verdict.VERDICT_WEAK, 0.25, ["a red circle"]));
    expect(finding?.rule).toBe("alt-weak");
    expect(finding?.severity).toBe("info");
    expect(finding?.message).toBe('Alt text "a blue square" only weakly describes the image (score 0.250; good is ≥ 0.30, confidence 0.90). Suggested: "a red circle".');
  });

  it("lowers a mismatch to info when the model is unsure or the image lies outside its domain, and says which", () => {
    expect(verdictFinding(ref!, check(Verdict.VERDICT_MISMATCH, 0.1, [], 0.6))?.severity).toBe("info");
    const outside = verdictFinding(ref!, check(Verdict.VERDICT_MISMATCH, 0.1, [], 0.99, { distance: 11.3, threshold: 7.2, inDomain: false }));
    expect(outside?.severity).toBe("info");
    expect(outside?.message).toContain("the image is outside the model's domain (distance 11.30 > 7.20)");
    const inside = verdictFinding(ref!, check(Verdict.VERDICT_MISMATCH, 0.1, [], 0.99, { distance: 5.1, threshold: 7.2, inDomain: true }));
    expect(inside?.severity).toBe("warning");
  });

  it("maps a MISSING verdict and a locally missing alt to a finding on the whole reference", () => {
    const [empty] = findImageReferences('<img src="logo.png">', "html");
    const finding = missingFinding(empty!, check(Verdict.VERDICT_MISSING, 0, ["a logo"]));
    expect(finding.rule).toBe("alt-missing");
    expect(finding.severity).toBe("error");
    expect(finding.range).toEqual([0, 20]);
    expect(finding.message).toBe('Image logo.png has no alt text (alt="" marks a decorative image). Suggested: "a logo".');
    const [markdown] = findImageReferences("![](shot.png)", "markdown");
    expect(missingFinding(markdown!).message).toBe("Image shot.png has no alt text.");
    expect(verdictFinding(empty!, check(Verdict.VERDICT_MISSING, 0))?.rule).toBe("alt-missing");
  });

  it("reports the model-free anti-patterns on the alt text, with lint-alt's rule ids", () => {
    const text = '![admin.png](img/admin.png) ![Screenshot](img/a.png) <img src="b.png" alt="Image of the build page">';
    const findings = findImageReferences(text, "markdown").map((r) => antiPatternFinding(r, check(Verdict.VERDICT_WEAK, 0.2, ["The admin page"])));
    expect(findings.map((f) => [f?.rule, f?.severity])).toEqual([
      ["alt-file-name", "error"],
      ["alt-placeholder", "error"],
      ["alt-redundant-prefix", "error"],
    ]);
    expect(findings[0]!.message).toBe('Alt text "admin.png" is the image\'s file name; describe what the image shows. Suggested: "The admin page".');
    expect(text.slice(...findings[0]!.range)).toBe("admin.png");
    const [fine] = findImageReferences("![The admin page](img/admin.png)", "markdown");
    expect(antiPatternFinding(fine!)).toBeUndefined();
  });

  it("uses lint-alt's severity by default and the user's setting when there is one, including off", () => {
    const [shot] = findImageReferences("![](shot.png)", "markdown");
    const missing = missingFinding(shot!);
    const unreadable = unreadableFinding(shot!, "Git LFS pointer, not the image (run git lfs pull)");
    const weak = verdictFinding(ref!, check(Verdict.VERDICT_WEAK, 0.25))!;
    const defaults: SeveritySettings = { missing: "default", antiPattern: "default", unreadable: "default", mismatch: "default", weak: "default" };
    expect([missing, unreadable, weak].map((f) => severityFor(f, defaults))).toEqual(["error", "warning", "information"]);
    const custom: SeveritySettings = { ...defaults, missing: "warning", weak: "off" };
    expect([missing, unreadable, weak].map((f) => severityFor(f, custom))).toEqual(["warning", "warning", "off"]);
  });
});

describe("betterSuggestions", () => {
  const suggestions = [
    { text: "a large red circle", cosine: 0.42 },
    { text: "a red circle", cosine: 0.31 },
    { text: "a circle", cosine: 0.18 },
  ];
  const refOf = (markdown: string) => findImageReferences(markdown, "markdown")[0]!;

  it("offers only suggestions that score above the writer's own alt text", () => {
    expect(betterSuggestions(refOf("![a red disc](img/c.png)"), 0.3, suggestions)).toEqual(["a large red circle", "a red circle"]);
    expect(betterSuggestions(refOf("![a large red circle on white](img/c.png)"), 0.5, suggestions)).toEqual([]);
  });

  it("offers every suggestion when the alt text is missing, the file name or a placeholder", () => {
    const all = suggestions.map((s) => s.text);
    expect(betterSuggestions(refOf("![](img/c.png)"), 0, suggestions)).toEqual(all);
    expect(betterSuggestions(refOf("![c.png](img/c.png)"), 0.5, suggestions)).toEqual(all);
    expect(betterSuggestions(refOf("![image](img/c.png)"), 0.5, suggestions)).toEqual(all);
  });
});

describe("alt-contradicts-text -> finding", () => {
  const text = '# Deploy\n\n![The "Delete project" button](shots/deploy.png)\n';
  const [ref] = findImageReferences(text, "markdown");

  it("reports the quoted text and what the image reads, on the alt text, with the rule's severity", () => {
    const finding = contradictionFinding(ref!, {
      ...check(Verdict.VERDICT_GOOD, 0.4),
      textContradiction: { quoted: "Delete project", imageLines: ["Deploy settings", "Save changes"] },
    });
    expect(finding).toEqual({
      rule: "alt-contradicts-text",
      severity: "warning",
      range: ref!.altRange,
      message: 'Alt text quotes "Delete project", which the image\'s text does not show (it reads "Deploy settings", "Save changes").',
    });
  });

  it("gives none when the daemon found no contradiction, and follows the mismatch severity setting", () => {
    expect(contradictionFinding(ref!, check(Verdict.VERDICT_GOOD, 0.4))).toBeUndefined();
    const finding = contradictionFinding(ref!, { ...check(Verdict.VERDICT_GOOD, 0.4), textContradiction: { quoted: "x y z", imageLines: [] } })!;
    const settings: SeveritySettings = { missing: "default", antiPattern: "default", unreadable: "default", mismatch: "error", weak: "default" };
    expect(severityFor(finding, settings)).toBe("error");
  });
});
