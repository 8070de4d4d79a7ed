import type { SuggestAltTextResponse } from "@llm2clip/proto";
import { statSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { unary, type Connection } from "../../connection";
import { documentLanguage, walkFiles } from "../../files";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type Io } from "../io";
import { lintDocuments } from "../lint";
import { formatLint, LINT_FORMATS, type LintFormat } from "../lint-report";

export interface LintOptions {
  format?: string;
  collection?: string;
}

/**
 * `lint-alt <files or globs>...`: judges the alt text of every image in Markdown, HTML, JSX/TSX and Vue documents.
 * Exits 1 when there are problems, so that it can gate a CI job.
 */
export async function lintAltCommand(connection: Connection, io: Io, args: string[], options: LintOptions, json: boolean): Promise<number> {
  const format = (options.format ?? (json ? "json" : "text")) as LintFormat;
  if (!LINT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${LINT_FORMATS.join(", ")}, not ${JSON.stringify(options.format)}`);
  if (args.length === 0) throw new UsageError("lint-alt needs files, folders or globs");
  const files = await expandTargets(io.cwd, args);
  const advise = (image: Buffer, alt: string, context: { surroundingText: string; heading: string; fileName: string }) =>
    unary<SuggestAltTextResponse>((done) =>
      connection.client.suggestAltText(
        { image: { data: image }, currentAlt: alt, context, collection: options.collection ?? "", maxSuggestions: 1 },
        connection.metadata(),
        done,
      ),
    );
  const result = await lintDocuments(io.cwd, files, advise);
  io.stdout.write(formatLint(result, format));
  return result.problems.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/** Documents named by files, folders (walked) or globs (matched under their static base), relative to `cwd`. */
export async function expandTargets(cwd: string, targets: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const target of targets) {
    const absolute = path.resolve(cwd, target);
    const info = statSync(absolute, { throwIfNoEntry: false });
    const relative = (file: string) => path.relative(cwd, file).split(path.sep).join("/");
    if (info?.isFile()) {
      found.add(relative(absolute));
      continue;
    }
    if (info?.isDirectory()) {
      for (const file of await walkFiles(absolute)) if (documentLanguage(file)) found.add(relative(path.join(absolute, file)));
      continue;
    }
    const { base } = picomatch.scan(target);
    const baseDir = path.resolve(cwd, base || ".");
    if (!statSync(baseDir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${target}: no such file, folder or glob base`);
    const matches = picomatch(target.replace(/^\.\//, ""), { dot: false });
    let any = false;
    for (const file of await walkFiles(baseDir)) {
      const rel = relative(path.join(baseDir, file));
      if (documentLanguage(file) && matches(rel)) {
        found.add(rel);
        any = true;
      }
    }
    if (!any) throw new UsageError(`${target}: matches no Markdown, HTML, JSX/TSX or Vue file`);
  }
  return [...found].sort();
}
