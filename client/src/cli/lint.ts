import { Verdict, type AltTextSuggestion, type SuggestAltTextResponse } from "@llm2clip/proto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { altTextEdit, type TextEdit } from "../documents/alt-edit";
import { findImageReferences } from "../documents/find-references";
import { isAltMissing, type ImageReference } from "../documents/references";
import { referenceContext } from "../documents/context";
import { documentLanguage, resolveImageFile } from "../files";
import { mapLimited } from "../map-limited";

export type ProblemKind = "missing" | "weak" | "mismatch";

export interface LintProblem {
  kind: ProblemKind;
  /** The document, relative to the working directory, '/'-separated. */
  file: string;
  /** [start, end) offsets of the reference in the document. */
  range: [number, number];
  image: string;
  alt?: string;
  cosine?: number;
  suggestion?: AltTextSuggestion;
  /** The edit that applies the suggestion. */
  fix?: TextEdit;
}

export interface LintResult {
  problems: LintProblem[];
  /** Image references judged. */
  checked: number;
  /** References not judged: remote images, files that don't exist, alt text decided at run time. */
  skipped: { file: string; range: [number, number]; reason: string }[];
  /** Document texts by file, for line numbers. */
  texts: Map<string, string>;
}

export type Advise = (image: Buffer, alt: string, context: ReturnType<typeof referenceContext>) => Promise<SuggestAltTextResponse>;

/** SuggestAltText calls in flight at once: enough for the daemon to batch them, few enough to stay inside its queue. */
const CONCURRENCY = 4;

/** Judges the alt text of every image reference in `files` (relative to `cwd`). */
export async function lintDocuments(cwd: string, files: readonly string[], advise: Advise): Promise<LintResult> {
  const result: LintResult = { problems: [], checked: 0, skipped: [], texts: new Map() };
  const work: { ref: ImageReference; file: string; text: string; imageFile: string }[] = [];
  for (const file of files) {
    const language = documentLanguage(file);
    if (!language) continue;
    const absolute = path.resolve(cwd, file);
    const text = await readFile(absolute, "utf8");
    result.texts.set(file, text);
    for (const ref of findImageReferences(text, language)) {
      const skip = (reason: string) => result.skipped.push({ file, range: ref.range, reason });
      if (ref.decorative) continue;
      if (ref.dynamicAlt) {
        skip("the alt text is decided at run time");
        continue;
      }
      const imageFile = resolveImageFile(absolute, ref.src, cwd);
      if (!imageFile) skip(ref.src ? `${ref.src} is not a local file` : "the image source is dynamic");
      else if (!existsSync(imageFile)) skip(`${ref.src} does not exist`);
      else work.push({ ref, file, text, imageFile });
    }
  }
  const problems = await mapLimited(work, CONCURRENCY, async ({ ref, file, text, imageFile }) => {
    const problem = await judge(ref, file, text, imageFile, advise);
    return problem && { ...problem, image: path.relative(cwd, imageFile).split(path.sep).join("/") };
  });
  result.checked = work.length;
  result.problems = problems.filter((problem): problem is LintProblem => problem !== undefined);
  return result;
}

async function judge(ref: ImageReference, file: string, text: string, imageFile: string, advise: Advise): Promise<Omit<LintProblem, "image"> | undefined> {
  const missing = isAltMissing(ref);
  const alt = missing ? "" : ref.alt!.trim();
  const response = await advise(await readFile(imageFile), alt, referenceContext(text, ref, path.basename(imageFile)));
  const verdict = response.current?.verdict;
  const kind: ProblemKind | undefined = missing
    ? "missing"
    : verdict === Verdict.VERDICT_WEAK
      ? "weak"
      : verdict === Verdict.VERDICT_MISMATCH
        ? "mismatch"
        : undefined;
  if (!kind) return undefined;
  // A suggestion that scores below the alt text it would replace is no fix (issue 10): offer none.
  const best = response.suggestions[0];
  const suggestion = best && (missing || best.cosine > (response.current?.cosine ?? -Infinity)) ? best : undefined;
  return {
    kind,
    file,
    range: ref.range,
    alt: missing ? undefined : alt,
    cosine: missing ? undefined : response.current?.cosine,
    suggestion,
    fix: suggestion ? altTextEdit(ref, suggestion.text) : undefined,
  };
}
