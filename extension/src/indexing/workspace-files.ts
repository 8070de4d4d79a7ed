// Finding a workspace folder's images and documents through the editor's file search, with the indexing settings.
import * as path from "node:path";
import * as vscode from "vscode";
import { exclusionFilter, IMAGE_EXTENSIONS, imagePathFilter, type FilterSettings } from "./file-filter";

export const DOCUMENT_GLOB = "**/*.{md,markdown,html,htm,jsx,tsx,vue}";
const IMAGE_GLOB = `**/*.{${[...IMAGE_EXTENSIONS, ...IMAGE_EXTENSIONS.map((e) => e.toUpperCase())].join(",")}}`;

function filterSettings(folder: vscode.WorkspaceFolder): FilterSettings {
  const indexing = vscode.workspace.getConfiguration("llm2clip.indexing", folder);
  return {
    include: indexing.get<string[]>("include", []),
    exclude: indexing.get<string[]>("exclude", []),
    filesExclude: vscode.workspace.getConfiguration("files", folder).get<Record<string, unknown>>("exclude", {}),
  };
}

/** Whether a path inside `folder` is an image the index should hold. */
export function imageFilter(folder: vscode.WorkspaceFolder): (relativePath: string) => boolean {
  return imagePathFilter(filterSettings(folder));
}

/**
 * Files of `folder` that match `glob` and `accept`. findFiles drops its files.exclude default once it is given an
 * exclude pattern, so every exclusion rule is applied here.
 */
export async function findFolderFiles(folder: vscode.WorkspaceFolder, glob: string, accept: (relativePath: string) => boolean): Promise<vscode.Uri[]> {
  const notExcluded = exclusionFilter(filterSettings(folder));
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), new vscode.RelativePattern(folder, "{**/node_modules/**,**/.git/**}"));
  return found.filter((uri) => {
    const relativePath = relativeTo(folder, uri);
    return notExcluded(relativePath) && accept(relativePath);
  });
}

export async function findImages(folder: vscode.WorkspaceFolder): Promise<vscode.Uri[]> {
  return findFolderFiles(folder, IMAGE_GLOB, imageFilter(folder));
}

/** `uri`'s path inside `folder`, '/'-separated: the asset path the daemon knows it by. */
export function relativeTo(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  return path.posix.relative(folder.uri.path, uri.path);
}
