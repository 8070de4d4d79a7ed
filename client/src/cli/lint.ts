import { Verdict, type AltTextContext, type AltTextSuggestion, type ImageDomain, type SuggestAltTextResponse } from "@llm2clip/proto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ALT_RULES, altTextAntiPattern, textContradictionMessage, verdictSeverity, type AltRuleId, type Severity } from "../documents/alt-rules";
import { altTextEdit, type TextEdit } from "../documents/alt-edit";
import { referenceContext } from "../documents/context";
import { findImageReferences } from "../documents/find-references";
import { isAltMissing, type ImageReference } from "../documents/references";
import { documentLanguage, resolveImageFile } from "../files";
import { mapLimited } from "../map-limited";
import { DEFAULT_MAX_IMAGE_PIXELS, unreadableReason } from "../image-readability";
import { chooseSiteRoot, isSiteRooted, type SiteRoot } from "./site-root";

export interface LintProblem {
  rule: AltRuleId;
  severity: Severity;
  /** The document, relative to the working directory, '/'-separated. */
  file: string;
  /** [start, end) offsets of the reference in the document. */
  range: [number, number];
  /** The image file relative to the working directory when it is local, the source as written otherwise. */
  image: string;
  message: string;
  alt?: string;
  cosine?: number;
  /** The model's probability that its verdict holds. */
  confidence?: number;
  domain?: ImageDomain;
  suggestion?: AltTextSuggestion;
  /** The edit that applies the suggestion. */
  fix?: TextEdit;
}

export interface LintResult {
  problems: LintProblem[];
  /** Image references found, decorative ones included. */
  references: number;
  /** Alt texts the model judged. */
  judged: number;
  /** References not judged at all: alt text decided at run time. */
  skipped: { file: string; range: [number, number]; reason: string }[];
  siteRoot?: SiteRoot;
  /** Why the model's checks did not run (no daemon), or stopped; undefined when they ran. */
  modelSkipped?: string;
  /** The model's calibration domain in words, when the daemon declares one. */
  modelDomain?: string;
  /** Document texts by file, for line numbers. */
  texts: Map<string, string>;
}

export type Advise = (image: Buffer, alt: string, context: AltTextContext) => Promise<SuggestAltTextResponse>;

/** The daemon, as lint-alt uses it. */
export interface Advisor {
  advise: Advise;
  maxImagePixels: number;
  domainDescription?: string;
}

export interface LintOptions {
  /** The folder that a leading '/' in an image source means; detected when absent. */
  root?: string;
  /** Absent when there is no daemon: the model-free checks still run. */
  advisor?: Advisor;
  /** Why there is no advisor, for the one line that says the model's checks were skipped. */
  noAdvisorReason?: string;
}

/** SuggestAltText calls in flight at once: enough for the daemon to batch them, few enough to stay inside its queue. */
const CONCURRENCY = 4;
/** Readability checks in flight at once: each opens one file. */
const FILE_CONCURRENCY = 16;
/** gRPC codes that mean the daemon itself is gone, not that it refused this image. */
const DAEMON_GONE = new Set([14, 4]);

interface Reference {
  ref: ImageReference;
  file: string;
  text: string;
  absolute: string;
}

interface ModelWork {
  item: Reference;
  imageFile: string;
  /** The problem the model adds a suggestion to (missing alt text or an anti-pattern), or none: the model judges the alt. */
  problem?: LintProblem;
}

/** Lints the image references in `files` (relative to `cwd`): first from the markup alone, then with the model when there is one. */
export async function lintDocuments(cwd: string, files: readonly string[], options: LintOptions = {}): Promise<LintResult> {
  const result: LintResult = { problems: [], references: 0, judged: 0, skipped: [], texts: new Map() };
  const references: Reference[] = [];
  for (const file of files) {
    const language = documentLanguage(file);
    if (!language) continue;
    const absolute = path.resolve(cwd, file);
    const text = await readFile(absolute, "utf8");
    result.texts.set(file, text);
    for (const ref of findImageReferences(text, language)) references.push({ ref, file, text, absolute });
  }
  result.references = references.length;
  const siteRoot = await chooseSiteRoot(
    cwd,
    options.root,
    references.filter(({ ref }) => isSiteRooted(ref.src)).map(({ ref }) => ref.src),
  );
  if (siteRoot.siteRooted > 0 || options.root !== undefined) result.siteRoot = siteRoot;
  const maxPixels = options.advisor?.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;

  const checked = await mapLimited(references, FILE_CONCURRENCY, async (item) => {
    const { ref, file, absolute } = item;
    if (ref.decorative) return { problems: [] };
    if (ref.dynamicAlt) {
      result.skipped.push({ file, range: ref.range, reason: "the alt text is decided at run time" });
      return { problems: [] };
    }
    const problems: LintProblem[] = [];
    const imageFile = resolveImageFile(absolute, ref.src, siteRoot.dir);
    const image = imageFile ? relativeTo(cwd, imageFile) : ref.src;
    const base = { file, range: ref.range, image };
    let markupProblem: LintProblem | undefined;
    if (isAltMissing(ref)) {
      markupProblem = { ...base, rule: "alt-missing", severity: ALT_RULES["alt-missing"].severity, message: `${ref.src || "image"} has no alt text` };
    } else {
      const antiPattern = altTextAntiPattern(ref.alt ?? "", ref.src);
      if (antiPattern) markupProblem = { ...base, rule: antiPattern.rule, severity: ALT_RULES[antiPattern.rule].severity, message: antiPattern.message, alt: ref.alt!.trim() };
    }
    if (markupProblem) problems.push(markupProblem);
    if (!imageFile || ref.src === "") return { problems };
    const unreadable = await unreadableReason(imageFile, maxPixels);
    if (unreadable) {
      problems.push({ ...base, rule: "image-unreadable", severity: ALT_RULES["image-unreadable"].severity, message: `image not readable: ${unreadable}` });
      return { problems };
    }
    const judgeable = markupProblem !== undefined || (ref.alt ?? "").trim() !== "";
    return { problems, work: judgeable ? ({ item, imageFile, problem: markupProblem } satisfies ModelWork) : undefined };
  });
  result.problems = checked.flatMap(({ problems }) => problems);
  const work = checked.flatMap(({ work }) => (work ? [work] : []));

  if (!options.advisor) {
    result.modelSkipped = options.noAdvisorReason ?? "no daemon";
  } else {
    result.modelDomain = options.advisor.domainDescription;
    const advise = options.advisor.advise;
    const stop = (reason: string) => (result.modelSkipped = reason);
    const judged = await mapLimited(work, CONCURRENCY, async (w) => (result.modelSkipped ? undefined : judge(cwd, w, advise, stop)));
    for (const outcome of judged) {
      if (outcome?.judged) result.judged += 1;
      if (outcome) result.problems.push(...outcome.problems);
    }
  }
  result.problems.sort((a, b) => a.file.localeCompare(b.file) || a.range[0] - b.range[0] || a.rule.localeCompare(b.rule));
  return result;
}

/**
 * Asks the daemon about one image: a suggestion for a markup problem, or a verdict on the alt text. A daemon that
 * cannot read the image gives an image-unreadable finding; a daemon that is gone stops the model's checks.
 */
async function judge(
  cwd: string,
  { item, imageFile, problem }: ModelWork,
  advise: Advise,
  stop: (reason: string) => void,
): Promise<{ judged: boolean; problems: LintProblem[] } | undefined> {
  const { ref, file, text } = item;
  const alt = problem?.rule === "alt-missing" ? "" : (ref.alt ?? "").trim();
  let response: SuggestAltTextResponse;
  try {
    response = await advise(await readFile(imageFile), alt, referenceContext(text, ref, path.basename(imageFile)));
  } catch (error) {
    const grpc = error as { code?: number; details?: string };
    if (grpc.code !== undefined && DAEMON_GONE.has(grpc.code)) {
      stop(`the daemon stopped answering (${grpc.details ?? String(error)})`);
      return undefined;
    }
    const unreadable: LintProblem = {
      rule: "image-unreadable",
      severity: ALT_RULES["image-unreadable"].severity,
      file,
      range: ref.range,
      image: relativeTo(cwd, imageFile),
      message: `image not readable by the model: ${grpc.details ?? (error as Error).message}`,
    };
    return { judged: false, problems: [unreadable] };
  }
  const best = response.suggestions[0];
  // A suggestion that scores at or below the alt text it would replace is no fix: offer none.
  const suggestion = best && (problem || best.cosine > (response.current?.cosine ?? -Infinity)) ? best : undefined;
  const fix = suggestion ? altTextEdit(ref, suggestion.text) : undefined;
  if (problem) {
    if (suggestion) Object.assign(problem, { suggestion, fix, ...(response.domain && { domain: response.domain }) });
    return { judged: false, problems: [] };
  }
  const problems: LintProblem[] = [];
  if (response.textContradiction) {
    problems.push({
      rule: "alt-contradicts-text",
      severity: ALT_RULES["alt-contradicts-text"].severity,
      file,
      range: ref.range,
      image: relativeTo(cwd, imageFile),
      message: textContradictionMessage(response.textContradiction),
      alt,
    });
  }
  const verdict = response.current?.verdict;
  const rule: "alt-mismatch" | "alt-weak" | undefined = verdict === Verdict.VERDICT_MISMATCH ? "alt-mismatch" : verdict === Verdict.VERDICT_WEAK ? "alt-weak" : undefined;
  if (!rule) return { judged: true, problems };
  const confidence = response.current!.confidence;
  const cosine = response.current!.cosine;
  const verdictProblem: LintProblem = {
    rule,
    severity: verdictSeverity(rule, confidence, response.domain?.inDomain),
    file,
    range: ref.range,
    image: relativeTo(cwd, imageFile),
    message: `alt text ${JSON.stringify(alt)} ${rule === "alt-weak" ? "weakly describes" : "does not match"} the image (cosine ${cosine.toFixed(3)}, confidence ${confidence.toFixed(2)}${domainNote(response.domain)})`,
    alt,
    cosine,
    confidence,
    ...(response.domain && { domain: response.domain }),
    ...(suggestion && { suggestion, fix }),
  };
  return { judged: true, problems: [...problems, verdictProblem] };
}

function domainNote(domain: ImageDomain | undefined): string {
  if (!domain) return "";
  return domain.inDomain ? "" : `; the image is outside the model's domain: distance ${domain.distance.toFixed(2)} > ${domain.threshold.toFixed(2)}`;
}

function relativeTo(cwd: string, file: string): string {
  return path.relative(cwd, file).split(path.sep).join("/");
}
