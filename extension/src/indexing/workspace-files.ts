// Which files of a workspace folder are indexed: the include globs, minus node_modules, .git, files.exclude and the
// exclude globs.
import * as path from "node:path";
import picomatch from "picomatch";
import * as vscode from "vscode";

export const IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp", "svg"] as const;
export const IMAGE_FILE = new RegExp(`\\.(${IMAGE_EXTENSIONS.join("|")})$`, "i");
export const DOCUMENT_GLOB = "**/*.{md,markdown,html,htm,jsx,tsx,vue}";
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/.git/**"];

export interface FileFilter {
  includes(relativePath: string): boolean;
}

/** The exclusion patterns for findFiles: its own default (files.exclude) is lost once a pattern is given, so merge it. */
function excludePatterns(folder: vscode.WorkspaceFolder): string[] {
  const filesExclude = vscode.workspace.getConfiguration("files", folder).get<Record<string, unknown>>("exclude", {});
  const fromFiles = Object.entries(filesExclude)
    .filter(([, enabled]) => enabled === true)
    .flatMap(([pattern]) => [pattern, `${pattern}/**`]);
  const fromSettings = vscode.workspace.getConfiguration("llm2clip.indexing", folder).get<string[]>("exclude", []);
  return [...ALWAYS_EXCLUDED, ...fromFiles, ...fromSettings];
}

export function imageFilter(folder: vscode.WorkspaceFolder): FileFilter {
  const include = vscode.workspace.getConfiguration("llm2clip.indexing", folder).get<string[]>("include", []);
  const isIncluded = picomatch(include, { dot: false });
  const isExcluded = picomatch(excludePatterns(folder), { dot: true });
  return { includes: (relativePath) => IMAGE_FILE.test(relativePath) && isIncluded(relativePath) && !isExcluded(relativePath) };
}

/** Files of `folder` that match `glob` and pass `filter`, found through the editor's file search. */
export async function findFolderFiles(folder: vscode.WorkspaceFolder, glob: string, filter: (relativePath: string) => boolean): Promise<vscode.Uri[]> {
  const isExcluded = picomatch(excludePatterns(folder), { dot: true });
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), new vscode.RelativePattern(folder, "{**/node_modules/**,**/.git/**}"));
  return found.filter((uri) => {
    const relativePath = relativeTo(folder, uri);
    return !isExcluded(relativePath) && filter(relativePath);
  });
}

export async function findImages(folder: vscode.WorkspaceFolder): Promise<vscode.Uri[]> {
  const filter = imageFilter(folder);
  return findFolderFiles(folder, `**/*.{${IMAGE_EXTENSIONS.join(",")},${IMAGE_EXTENSIONS.map((e) => e.toUpperCase()).join(",")}}`, (p) => filter.includes(p));
}

/** `uri`'s path inside `folder`, '/'-separated: the asset path the daemon knows it by. */
export function relativeTo(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  return path.posix.relative(folder.uri.path, uri.path);
}
