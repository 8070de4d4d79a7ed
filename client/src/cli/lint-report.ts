import path from "node:path";
import { ALT_RULE_IDS, ALT_RULES, atLeast, type Severity } from "../documents/alt-rules";
import { lineColumn } from "../documents/context";
import type { LintProblem, LintResult } from "./lint";
import { SOURCE_NAMES } from "./commands/suggest-alt";

export type LintFormat = "text" | "json" | "sarif";
export const LINT_FORMATS: readonly LintFormat[] = ["text", "json", "sarif"];

const SARIF_LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", info: "note" };

function located(result: LintResult, problem: LintProblem) {
  const text = result.texts.get(problem.file) ?? "";
  return { start: lineColumn(text, problem.range[0]), end: lineColumn(text, problem.range[1]) };
}

function message(problem: LintProblem): string {
  const suggestion = problem.suggestion
    ? `; suggested: ${JSON.stringify(problem.suggestion.text)} (cosine ${problem.suggestion.cosine.toFixed(3)}, ${SOURCE_NAMES[problem.suggestion.source]})`
    : "";
  return problem.message + suggestion;
}

/** The lines that say how the run went: where site-rooted images were looked for, whether the model ran, and in which domain. */
export function lintNotes(result: LintResult, cwd: string): string[] {
  const notes: string[] = [];
  const root = result.siteRoot;
  if (root) {
    const dir = path.relative(cwd, root.dir).split(path.sep).join("/") || ".";
    const how = root.how === "option" ? "--root" : root.how === "detected" ? "detected" : "no static folder resolved them; --root DIR to choose";
    notes.push(`site root: ${dir === "." ? "./" : dir + "/"} (${how}; ${root.found} of ${root.siteRooted} site-rooted image references found there)`);
  }
  if (result.modelSkipped) notes.push(`model checks skipped: ${result.modelSkipped}; only the model-free rules ran`);
  const outside = result.problems.filter((p) => p.domain && !p.domain.inDomain).length;
  if (result.modelDomain !== undefined && outside > 0) {
    notes.push(`${outside} finding${outside === 1 ? "" : "s"} on images outside the model's domain (${result.modelDomain}): their verdicts are info at most`);
  }
  return notes;
}

export function countBySeverity(problems: readonly LintProblem[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const problem of problems) counts[problem.severity] += 1;
  return counts;
}

/** The run fails when a finding is at least as severe as `failOn`, as eslint fails on errors (and on warnings with --max-warnings 0). */
export function lintFails(result: LintResult, failOn: Severity): boolean {
  return result.problems.some((problem) => atLeast(problem.severity, failOn));
}

export function formatLint(result: LintResult, format: LintFormat, cwd: string): string {
  if (format === "json") return JSON.stringify(json(result, cwd), null, 2) + "\n";
  if (format === "sarif") return JSON.stringify(sarif(result, cwd), null, 2) + "\n";
  const lines = result.problems.map((problem) => {
    const { start } = located(result, problem);
    return `${problem.file}:${start.line}:${start.column}  ${problem.severity.padEnd(7)}  ${problem.rule.padEnd(20)}  ${message(problem)}`;
  });
  lines.push(...lintNotes(result, cwd));
  const counts = countBySeverity(result.problems);
  const total = result.problems.length;
  lines.push(
    `${total} problem${total === 1 ? "" : "s"} (${counts.error} error${counts.error === 1 ? "" : "s"}, ${counts.warning} warning${counts.warning === 1 ? "" : "s"}, ${counts.info} info) in ${result.references} image reference${result.references === 1 ? "" : "s"}`,
  );
  return lines.join("\n") + "\n";
}

function json(result: LintResult, cwd: string) {
  return {
    references: result.references,
    judged: result.judged,
    counts: countBySeverity(result.problems),
    model: { ran: result.modelSkipped === undefined, skipped: result.modelSkipped ?? null, domain: result.modelDomain ?? null },
    notes: lintNotes(result, cwd),
    problems: result.problems.map((problem) => {
      const { start, end } = located(result, problem);
      return {
        file: problem.file,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        rule: problem.rule,
        severity: problem.severity,
        message: problem.message,
        image: problem.image,
        alt: problem.alt ?? null,
        cosine: problem.cosine ?? null,
        confidence: problem.confidence ?? null,
        domain: problem.domain ? { inDomain: problem.domain.inDomain, distance: problem.domain.distance, threshold: problem.domain.threshold } : null,
        suggestion: problem.suggestion
          ? { text: problem.suggestion.text, cosine: problem.suggestion.cosine, source: SOURCE_NAMES[problem.suggestion.source] }
          : null,
      };
    }),
    skipped: result.skipped.map(({ file, range, reason }) => ({ file, line: lineColumn(result.texts.get(file) ?? "", range[0]).line, reason })),
  };
}

/** A SARIF 2.1.0 log: one rule per id with its default level, each suggestion as a fix, the run's notes as notifications. */
function sarif(result: LintResult, cwd: string) {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "llm2clip lint-alt",
            rules: ALT_RULE_IDS.map((id) => ({
              id,
              shortDescription: { text: ALT_RULES[id].description },
              defaultConfiguration: { level: SARIF_LEVEL[ALT_RULES[id].severity] },
              properties: { model: ALT_RULES[id].model },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: lintNotes(result, cwd).map((text) => ({ level: "note", message: { text } })),
          },
        ],
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
          const properties = {
            ...(problem.confidence !== undefined && { confidence: problem.confidence }),
            ...(problem.domain && { inDomain: problem.domain.inDomain, domainDistance: problem.domain.distance, domainThreshold: problem.domain.threshold }),
          };
          return {
            ruleId: problem.rule,
            ruleIndex: ALT_RULE_IDS.indexOf(problem.rule),
            level: SARIF_LEVEL[problem.severity],
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
            ...(Object.keys(properties).length > 0 ? { properties } : {}),
          };
        }),
      },
    ],
  };
}
