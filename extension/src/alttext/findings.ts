// What an image reference's alt text deserves: nothing, or a finding with lint-alt's rule id and severity (see
// client/src/documents/alt-rules). Pure, so that the rule -> diagnostic mapping is unit-tested without an editor.
import { Verdict } from "@llm2clip/proto";
import {
  ALT_RULES,
  altTextAntiPattern,
  isAltMissing,
  textContradictionMessage,
  verdictSeverity,
  type AltRuleId,
  type ImageReference,
  type Range,
  type Severity,
} from "@llm2clip/client";

/** "default" is the rule's own severity, the one lint-alt reports. */
export type SeveritySetting = "default" | "error" | "warning" | "information" | "hint" | "off";
export type EditorSeverity = Exclude<SeveritySetting, "default">;

/** The daemon's judgement of one alt text (SuggestAltText), reduced to what the editor shows. */
export interface AltCheck {
  verdict: Verdict;
  cosine: number;
  /** The model's probability that its verdict holds. */
  confidence: number;
  /** Absent when the model declares no calibration domain. */
  domain?: { distance: number; threshold: number; inDomain: boolean };
  thresholds?: { good: number; mismatch: number };
  /** Best first. */
  suggestions: string[];
  /** The alt text quotes text the image's own text does not show (rule alt-contradicts-text). */
  textContradiction?: { quoted: string; imageLines: string[] };
}

export interface Finding {
  rule: AltRuleId;
  severity: Severity;
  /** Where the diagnostic goes: the alt text when there is one, otherwise the whole reference. */
  range: Range;
  message: string;
}

/** The user's severity for each group of rules (settings llm2clip.altText.*Severity). */
export interface SeveritySettings {
  missing: SeveritySetting;
  antiPattern: SeveritySetting;
  unreadable: SeveritySetting;
  mismatch: SeveritySetting;
  weak: SeveritySetting;
}

const SETTING_OF_RULE: Record<AltRuleId, keyof SeveritySettings> = {
  "alt-missing": "missing",
  "alt-file-name": "antiPattern",
  "alt-placeholder": "antiPattern",
  "alt-redundant-prefix": "antiPattern",
  "image-unreadable": "unreadable",
  "alt-contradicts-text": "mismatch",
  "alt-mismatch": "mismatch",
  "alt-weak": "weak",
};

const EDITOR_SEVERITY: Record<Severity, EditorSeverity> = { error: "error", warning: "warning", info: "information" };

/**
 * The suggestions worth offering in place of the reference's alt text, best first: all of them when it has none or
 * only a file name or placeholder; otherwise only those the model scores above the alt text the writer chose.
 */
export function betterSuggestions(ref: ImageReference, currentCosine: number, suggestions: readonly { text: string; cosine: number }[]): string[] {
  const replaceAny = isAltMissing(ref) || altTextAntiPattern(ref.alt ?? "", ref.src) !== undefined;
  return suggestions.filter((suggestion) => replaceAny || suggestion.cosine > currentCosine).map((suggestion) => suggestion.text);
}

export function missingFinding(ref: ImageReference, check?: AltCheck): Finding {
  const best = check?.suggestions[0];
  const decorativeHint = ref.kind === "html" || ref.kind === "jsx" ? ' (alt="" marks a decorative image)' : "";
  return {
    rule: "alt-missing",
    severity: ALT_RULES["alt-missing"].severity,
    range: ref.range,
    message: `Image ${ref.src || "reference"} has no alt text${decorativeHint}.${best ? ` Suggested: "${best}".` : ""}`,
  };
}

/** A model-free problem of the alt text itself: the file name, a placeholder word, "image of …". */
export function antiPatternFinding(ref: ImageReference, check?: AltCheck): Finding | undefined {
  const antiPattern = altTextAntiPattern(ref.alt ?? "", ref.src);
  if (!antiPattern) return undefined;
  const best = check?.suggestions.find((s) => s.trim().toLowerCase() !== (ref.alt ?? "").trim().toLowerCase());
  const message = antiPattern.message[0]!.toUpperCase() + antiPattern.message.slice(1);
  return { rule: antiPattern.rule, severity: ALT_RULES[antiPattern.rule].severity, range: altOrReference(ref), message: `${message}.${best ? ` Suggested: "${best}".` : ""}` };
}

export function unreadableFinding(ref: ImageReference, reason: string): Finding {
  return { rule: "image-unreadable", severity: ALT_RULES["image-unreadable"].severity, range: ref.range, message: `Image ${ref.src} is not readable: ${reason}.` };
}

/** The alt text quotes text that the image's own text does not show. */
export function contradictionFinding(ref: ImageReference, check: AltCheck): Finding | undefined {
  if (!check.textContradiction) return undefined;
  const message = textContradictionMessage(check.textContradiction);
  return {
    rule: "alt-contradicts-text",
    severity: ALT_RULES["alt-contradicts-text"].severity,
    range: altOrReference(ref),
    message: `${message[0]!.toUpperCase()}${message.slice(1)}.`,
  };
}

/** Maps the daemon's verdict on an existing alt text to a finding; GOOD (and an unknown verdict) gives none. */
export function verdictFinding(ref: ImageReference, check: AltCheck): Finding | undefined {
  const range = altOrReference(ref);
  const alt = (ref.alt ?? "").trim();
  const best = check.suggestions.find((s) => s.trim().toLowerCase() !== alt.toLowerCase());
  const suggestion = best ? ` Suggested: "${best}".` : "";
  const score = check.cosine.toFixed(3);
  const sureness = `confidence ${check.confidence.toFixed(2)}${
    check.domain && !check.domain.inDomain
      ? `; the image is outside the model's domain (distance ${check.domain.distance.toFixed(2)} > ${check.domain.threshold.toFixed(2)})`
      : ""
  }`;
  switch (check.verdict) {
    case Verdict.VERDICT_MISSING:
      return missingFinding(ref, check);
    case Verdict.VERDICT_MISMATCH: {
      const limit = check.thresholds ? ` < ${check.thresholds.mismatch.toFixed(2)}` : "";
      return {
        rule: "alt-mismatch",
        severity: verdictSeverity("alt-mismatch", check.confidence, check.domain?.inDomain),
        range,
        message: `Alt text "${alt}" does not describe the image (score ${score}${limit}, ${sureness}).${suggestion}`,
      };
    }
    case Verdict.VERDICT_WEAK: {
      const good = check.thresholds ? `; good is ≥ ${check.thresholds.good.toFixed(2)}` : "";
      return {
        rule: "alt-weak",
        severity: verdictSeverity("alt-weak", check.confidence, check.domain?.inDomain),
        range,
        message: `Alt text "${alt}" only weakly describes the image (score ${score}${good}, ${sureness}).${suggestion}`,
      };
    }
    default:
      return undefined;
  }
}

/** The finding's severity in the editor: the user's setting for its rule, or lint-alt's own severity by default. */
export function severityFor(finding: Finding, settings: SeveritySettings): EditorSeverity {
  const setting = settings[SETTING_OF_RULE[finding.rule]];
  return setting === "default" ? EDITOR_SEVERITY[finding.severity] : setting;
}

function altOrReference(ref: ImageReference): Range {
  return ref.altRange && ref.altRange[1] > ref.altRange[0] ? ref.altRange : ref.range;
}
