import { lineColumn } from "../documents/context";
import type { LintProblem, LintResult, ProblemKind } from "./lint";
import { SOURCE_NAMES } from "./commands/suggest-alt";

export type LintFormat = "text" | "json" | "sarif";
export const LINT_FORMATS: readonly LintFormat[] = ["text", "json", "sarif"];

const RULES: Record<ProblemKind, { id: string; level: "error" | "warning"; description: string }> = {
  missing: { id: "alt-missing", level: "error", description: "An image has no alt text." },
  mismatch: { id: "alt-mismatch", level: "error", description: "An image's alt text does not describe it (cosine below the model's mismatch threshold)." },
  weak: { id: "alt-weak", level: "warning", description: "An image's alt text describes it only weakly (cosine below the model's good threshold)." },
};

function located(result: LintResult, problem: LintProblem) {
  const text = result.texts.get(problem.file) ?? "";
  return { start: lineColumn(text, problem.range[0]), end: lineColumn(text, problem.range[1]) };
}

function message(problem: LintProblem): string {
  const what =
    problem.kind === "missing"
      ? `${problem.image} has no alt text`
      : `alt text ${JSON.stringify(problem.alt)} ${problem.kind === "weak" ? "weakly describes" : "does not match"} ${problem.image} (cosine ${problem.cosine!.toFixed(3)})`;
  const suggestion = problem.suggestion
    ? `; suggested: ${JSON.stringify(problem.suggestion.text)} (cosine ${problem.suggestion.cosine.toFixed(3)}, ${SOURCE_NAMES[problem.suggestion.source]})`
    : "";
  return what + suggestion;
}

export function formatLint(result: LintResult, format: LintFormat): string {
  if (format === "json") {
    return JSON.stringify(
      {
        checked: result.checked,
        problems: result.problems.map((problem) => {
          const { start, end } = located(result, problem);
          return {
            file: problem.file,
            line: start.line,
            column: start.column,
            endLine: end.line,
            endColumn: end.column,
            kind: problem.kind,
            image: problem.image,
            alt: problem.alt ?? null,
            cosine: problem.cosine ?? null,
            suggestion: problem.suggestion
              ? { text: problem.suggestion.text, cosine: problem.suggestion.cosine, source: SOURCE_NAMES[problem.suggestion.source] }
              : null,
          };
        }),
        skipped: result.skipped.map(({ file, range, reason }) => ({ file, line: lineColumn(result.texts.get(file) ?? "", range[0]).line, reason })),
      },
      null,
      2,
    ) + "\n";
  }
  if (format === "sarif") return JSON.stringify(sarif(result), null, 2) + "\n";
  const lines = result.problems.map((problem) => {
    const { start } = located(result, problem);
    return `${problem.file}:${start.line}:${start.column}  ${problem.kind.padEnd(8)}  ${message(problem)}`;
  });
  lines.push(`${result.problems.length} problem${result.problems.length === 1 ? "" : "s"} in ${result.checked} image references`);
  return lines.join("\n") + "\n";
}

/** A SARIF 2.1.0 log, with each suggestion as a fix, for code-scanning UIs. */
function sarif(result: LintResult) {
  const kinds = Object.keys(RULES) as ProblemKind[];
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "llm2clip lint-alt",
            rules: kinds.map((kind) => ({ id: RULES[kind].id, shortDescription: { text: RULES[kind].description }, defaultConfiguration: { level: RULES[kind].level } })),
          },
        },
        results: result.problems.map((problem) => {
          const { start, end } = located(result, problem);
          const artifactLocation = { uri: problem.file };
          const fix = problem.fix && problem.suggestion && {
            description: { text: `Set the alt text to ${JSON.stringify(problem.suggestion.text)}` },
            artifactChanges: [
              {
                artifactLocation,
                replacements: [
                  {
                    deletedRegion: { charOffset: problem.fix.range[0], charLength: problem.fix.range[1] - problem.fix.range[0] },
                    insertedContent: { text: problem.fix.newText },
                  },
                ],
              },
            ],
          };
          return {
            ruleId: RULES[problem.kind].id,
            ruleIndex: kinds.indexOf(problem.kind),
            level: RULES[problem.kind].level,
            message: { text: message(problem) },
            locations: [
              {
                physicalLocation: {
                  artifactLocation,
                  region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
                },
              },
            ],
            ...(fix ? { fixes: [fix] } : {}),
          };
        }),
      },
    ],
  };
}
