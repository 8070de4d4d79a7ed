import type { ModelInfo, SuggestAltTextResponse } from "@llm2clip/proto";
import { statSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { unary, type Connection } from "../../connection";
import { SEVERITIES, type Severity } from "../../documents/alt-rules";
import { documentLanguage, walkFiles } from "../../files";
import { DEFAULT_MAX_IMAGE_PIXELS } from "../../image-readability";
import { describeError, EXIT_OK, EXIT_PROBLEMS, UsageError, type Io } from "../io";
import { lintDocuments, type Advisor } from "../lint";
import { formatLint, lintFails, lintNotes, LINT_FORMATS, type LintFormat } from "../lint-report";

export interface LintOptions {
  format?: string;
  collection?: string;
  root?: string;
  failOn?: string;
  /** host:port, for the line that says no daemon answered there. */
  server: string;
}

/** How long lint-alt waits for the daemon before running without the model. */
const PROBE_DEADLINE_MS = 3_000;

/**
 * `lint-alt <files or globs>...`: checks the alt text of every image in Markdown, MDX, HTML, JSX/TSX and Vue documents,
 * from the markup and, when a daemon answers, with the model. Exits 1 when a finding reaches --fail-on (error by
 * default: missing alt text and the model-free anti-patterns), so that it can gate a CI job.
 */
export async function lintAltCommand(connection: Connection, io: Io, args: string[], options: LintOptions, json: boolean): Promise<number> {
  const format = (options.format ?? (json ? "json" : "text")) as LintFormat;
  if (!LINT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${LINT_FORMATS.join(", ")}, not ${JSON.stringify(options.format)}`);
  const failOn = (options.failOn ?? "error") as Severity;
  if (!SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(", ")}, not ${JSON.stringify(options.failOn)}`);
  if (args.length === 0) throw new UsageError("lint-alt needs files, folders or globs");
  if (options.root !== undefined && !statSync(path.resolve(io.cwd, options.root), { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--root: ${options.root} is not a folder`);
  }
  const probing = probe(connection, options.server);
  const files = await expandTargets(io.cwd, args);
  const daemon = await probing;
  const advisor: Advisor | undefined = daemon.model && {
    maxImagePixels: daemon.model.limits?.maxImagePixels || DEFAULT_MAX_IMAGE_PIXELS,
    ...(daemon.model.calibrationDomain && { domainDescription: daemon.model.calibrationDomain.description }),
    advise: (image, alt, context) =>
      unary<SuggestAltTextResponse>((done) =>
        connection.client.suggestAltText(
          { image: { data: image }, currentAlt: alt, context, collection: options.collection ?? "", maxSuggestions: 1 },
          connection.metadata(),
          done,
        ),
      ),
  };
  const result = await lintDocuments(io.cwd, files, { root: options.root, advisor, noAdvisorReason: daemon.reason });
  io.stdout.write(formatLint(result, format, io.cwd));
  if (format !== "text") for (const note of lintNotes(result, io.cwd)) io.stderr.write(`llm2clip: ${note}\n`);
  return lintFails(result, failOn) ? EXIT_PROBLEMS : EXIT_OK;
}

/** The served model, or why there is none: lint-alt runs its model-free checks either way. */
async function probe(connection: Connection, server: string): Promise<{ model?: ModelInfo; reason?: string }> {
  try {
    const model = await unary<ModelInfo>((done) => connection.client.getModelInfo({}, connection.metadata(), { deadline: Date.now() + PROBE_DEADLINE_MS }, done));
    return { model };
  } catch (error) {
    return { reason: `no daemon answered at ${server} (${describeError(error)})` };
  }
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
    if (!any) throw new UsageError(`${target}: matches no Markdown, MDX, HTML, JSX/TSX or Vue file`);
  }
  return [...found].sort();
}
