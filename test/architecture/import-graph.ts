// The repository's import graph, read with TypeScript's own pre-processor (static imports, re-exports, dynamic
// import() and require()), and the layering rules it must follow.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git"]);

export interface Import {
  /** The importing file, relative to the root, with forward slashes. */
  file: string;
  specifier: string;
  /** For a relative specifier, the imported path relative to the root; undefined for a package. */
  target?: string;
}

export interface Rule {
  /** Files the rule applies to: relative paths starting with one of these folders. */
  from: readonly string[];
  /** Forbidden targets: folders (relative paths) for relative imports, or package names (a trailing `/*` matches a scope). */
  forbidden: readonly string[];
  why: string;
}

function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) found.push(...sourceFiles(root, relative));
    else if (entry.isFile() && SOURCE.test(entry.name)) found.push(relative);
  }
  return found;
}

export function importsUnder(root: string, dirs: readonly string[]): Import[] {
  return dirs.flatMap((dir) =>
    sourceFiles(root, dir).flatMap((file) =>
      ts.preProcessFile(readFileSync(path.join(root, file), "utf8"), true, true).importedFiles.map(({ fileName: specifier }) => ({
        file,
        specifier,
        target: specifier.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) : undefined,
      })),
    ),
  );
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

function forbids(pattern: string, imported: Import): boolean {
  if (imported.target !== undefined) return inside(imported.target, pattern);
  if (pattern.endsWith("/*")) return imported.specifier.startsWith(pattern.slice(0, -1));
  return imported.specifier === pattern || imported.specifier.startsWith(`${pattern}/`);
}

/** Each import that breaks a rule, as `file imports specifier: why`. */
export function violations(imports: readonly Import[], rules: readonly Rule[]): string[] {
  return rules.flatMap((rule) =>
    imports
      .filter((imported) => rule.from.some((folder) => inside(imported.file, folder)) && rule.forbidden.some((pattern) => forbids(pattern, imported)))
      .map((imported) => `${imported.file} imports ${imported.specifier}: ${rule.why}`),
  );
}
