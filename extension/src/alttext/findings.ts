// What an image reference's alt text deserves: nothing, or a finding (missing, weak, mismatch) with its message.
// Pure, so that the verdict -> diagnostic mapping is unit-tested without an editor.
import { Verdict } from "@llm2clip/proto";
import type { ImageReference, Range } from "@llm2clip/client";

export type FindingKind = "missing" | "weak" | "mismatch";
export type SeveritySetting = "error" | "warning" | "information" | "hint" | "off";

/** The daemon's judgement of one alt text (SuggestAltText), reduced to what the editor shows. */
export interface AltCheck {
  verdict: Verdict;
  cosine: number;
  thresholds?: { good: number; mismatch: number };
  /** Best first. */
  suggestions: string[];
}

export interface Finding {
  kind: FindingKind;
  /** Where the diagnostic goes: the alt text when there is one, otherwise the whole reference. */
  range: Range;
  message: string;
}

export interface SeveritySettings {
  missing: SeveritySetting;
  weak: SeveritySetting;
  mismatch: SeveritySetting;
}

export function missingFinding(ref: ImageReference, check?: AltCheck): Finding {
  const best = check?.suggestions[0];
  const decorativeHint = ref.kind === "html" || ref.kind === "jsx" ? ' (alt="" marks a decorative image)' : "";
  return {
    kind: "missing",
    range: ref.range,
    message: `Image ${ref.src || "reference"} has no alt text${decorativeHint}.${best ? ` Suggested: "${best}".` : ""}`,
  };
}

/** Maps the daemon's verdict on an existing alt text to a finding; GOOD (and an unknown verdict) gives none. */
export function verdictFinding(ref: ImageReference, check: AltCheck): Finding | undefined {
  const range = ref.altRange && ref.altRange[1] > ref.altRange[0] ? ref.altRange : ref.range;
  const alt = (ref.alt ?? "").trim();
  const best = check.suggestions.find((s) => s.trim().toLowerCase() !== alt.toLowerCase());
  const suggestion = best ? ` Suggested: "${best}".` : "";
  const score = check.cosine.toFixed(3);
  switch (check.verdict) {
    case Verdict.VERDICT_MISSING:
      return missingFinding(ref, check);
    case Verdict.VERDICT_MISMATCH: {
      const limit = check.thresholds ? ` < ${check.thresholds.mismatch.toFixed(2)}` : "";
      return { kind: "mismatch", range, message: `Alt text "${alt}" does not describe the image (score ${score}${limit}).${suggestion}` };
    }
    case Verdict.VERDICT_WEAK: {
      const good = check.thresholds ? `; good is ≥ ${check.thresholds.good.toFixed(2)}` : "";
      return { kind: "weak", range, message: `Alt text "${alt}" only weakly describes the image (score ${score}${good}).${suggestion}` };
    }
    default:
      return undefined;
  }
}

export function severityFor(kind: FindingKind, settings: SeveritySettings): SeveritySetting {
  return settings[kind];
}
