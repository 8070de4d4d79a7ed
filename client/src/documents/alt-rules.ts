// The alt-text rules, their ids and default severities, shared by lint-alt (text, JSON, SARIF) and the editor's
// diagnostics. The model-free rules follow what accessibility linters check (WCAG failure F30, axe's
// image-redundant-alt, Lighthouse's image-alt): they are certain, so they fail a run by default. The model's verdicts
// are a guess and never do.
import path from "node:path";

export type Severity = "error" | "warning" | "info";

export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

export type AltRuleId =
  | "alt-missing"
  | "alt-file-name"
  | "alt-placeholder"
  | "alt-redundant-prefix"
  | "image-unreadable"
  | "alt-contradicts-text"
  | "alt-mismatch"
  | "alt-weak";

export interface AltRule {
  severity: Severity;
  /** Judged by the model through the daemon; the others read only the document and the image file. */
  model: boolean;
  description: string;
}

export const ALT_RULES: Record<AltRuleId, AltRule> = {
  "alt-missing": { severity: "error", model: false, description: "An image has no alt text (markdownlint MD045, axe image-alt)." },
  "alt-file-name": { severity: "error", model: false, description: "The alt text is the image's file name (WCAG failure F30)." },
  "alt-placeholder": { severity: "error", model: false, description: 'The alt text is only a placeholder word such as "image" or "screenshot" (WCAG failure F30).' },
  "alt-redundant-prefix": {
    severity: "error",
    model: false,
    description: 'The alt text begins with "image of" or "picture of": screen readers already announce an image (axe image-redundant-alt).',
  },
  "image-unreadable": { severity: "warning", model: false, description: "The image cannot be read: absent, empty, truncated, a Git LFS pointer, a folder or over the pixel limit." },
  "alt-contradicts-text": {
    severity: "warning",
    model: true,
    description: "The alt text quotes text that the image's own text (read by the daemon's OCR) does not show.",
  },
  "alt-mismatch": {
    severity: "warning",
    model: true,
    description: "The model scores the alt text below its mismatch threshold; info when the image lies outside the model's domain or the verdict's confidence is low.",
  },
  "alt-weak": { severity: "info", model: true, description: "The model scores the alt text below its good threshold." },
};

export const ALT_RULE_IDS = Object.keys(ALT_RULES) as AltRuleId[];

/** True when a finding of `severity` reaches the `threshold` (error > warning > info), as eslint's --max-warnings/--quiet levels. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** A model verdict with a lower confidence than this is info, however far inside the domain the image lies. */
export const MIN_CONFIDENCE = 0.8;

/**
 * The severity of a model verdict: its rule's, when the image lies inside the model's calibration domain (or the model
 * declares none) and the model is confident; info otherwise. A guess outside what the model knows is never a warning.
 */
export function verdictSeverity(rule: "alt-mismatch" | "alt-weak", confidence: number, inDomain: boolean | undefined): Severity {
  return inDomain !== false && confidence >= MIN_CONFIDENCE ? ALT_RULES[rule].severity : "info";
}

/** The daemon's alt-contradicts-text finding (SuggestAltTextResponse.text_contradiction), in words. */
export function textContradictionMessage(contradiction: { quoted: string; imageLines: readonly string[] }): string {
  const shown = contradiction.imageLines.map((line) => JSON.stringify(line)).join(", ");
  return `alt text quotes ${JSON.stringify(contradiction.quoted)}, which the image's text does not show (it reads ${shown})`;
}

const IMAGE_FILE_NAME = /^[^\s/\\]+\.(png|jpe?g|gif|webp|svg|bmp|avif|tiff?|ico)$/i;

/** Words that name the medium, not the content; "1", "(2)" or ":" after them change nothing. */
const PLACEHOLDERS = new Set([
  "image",
  "img",
  "picture",
  "pic",
  "photo",
  "photograph",
  "graphic",
  "screenshot",
  "screen shot",
  "screen capture",
  "figure",
  "fig",
  "spacer",
  "placeholder",
  "alt",
  "alt text",
  "untitled",
  "todo",
  "图片",
  "图像",
  "截图",
  "照片",
]);

const REDUNDANT_PREFIX = /^(?:an?\s+|the\s+)?(image|picture|photo|photograph|graphic)\s+of\b/i;

export interface AntiPattern {
  rule: "alt-file-name" | "alt-placeholder" | "alt-redundant-prefix";
  message: string;
}

/**
 * The model-free problem of a present alt text, if any. "Screenshot of …" is allowed: WCAG's technique G94 accepts
 * naming the medium when it matters, and in documentation that a picture is a screenshot often does.
 */
export function altTextAntiPattern(alt: string, src: string): AntiPattern | undefined {
  const text = alt.trim();
  if (text === "") return undefined;
  const fileName = decodeSafely(path.posix.basename(src.replace(/[?#].*$/, ""))).toLowerCase();
  const lower = text.toLowerCase();
  if (IMAGE_FILE_NAME.test(text) || (fileName !== "" && (lower === fileName || lower === fileName.replace(/\.[^.]+$/, "")))) {
    return { rule: "alt-file-name", message: `alt text ${JSON.stringify(text)} is the image's file name; describe what the image shows` };
  }
  const word = lower.replace(/[\s\d().:#_-]+$/u, "").replace(/[.。!！]$/u, "").trim();
  if (PLACEHOLDERS.has(word)) {
    return { rule: "alt-placeholder", message: `alt text ${JSON.stringify(text)} says only that this is an image; describe what it shows` };
  }
  const prefix = REDUNDANT_PREFIX.exec(text);
  if (prefix) {
    return {
      rule: "alt-redundant-prefix",
      message: `alt text ${JSON.stringify(text)} begins with ${JSON.stringify(prefix[0])}; screen readers already announce an image`,
    };
  }
  return undefined;
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
