import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { ReferenceLanguage } from "./documents/references";

export const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"]);

const DOCUMENT_LANGUAGES: Record<string, ReferenceLanguage> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".jsx": "javascriptreact",
  ".tsx": "typescriptreact",
  ".vue": "vue",
};

/** Folders that hold dependencies or VCS data, never a project's own images or docs. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", ".hg", ".svn"]);

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

export function documentLanguage(file: string): ReferenceLanguage | undefined {
  return DOCUMENT_LANGUAGES[path.extname(file).toLowerCase()];
}

/** Every regular file under `root`, as '/'-separated paths relative to it, sorted; symlinks are not followed. */
export async function walkFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, prefix: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await visit(path.join(dir, entry.name), relative);
      } else if (entry.isFile()) {
        out.push(relative);
      }
    }
  };
  await visit(root, "");
  return out.sort();
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * The absolute file an image reference in `documentFile` (absolute) points at, or undefined when it is remote or a data:
 * URI. A leading '/' means `siteRoot`.
 */
export function resolveImageFile(documentFile: string, src: string, siteRoot: string): string | undefined {
  if (src === "" || /^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith("//")) return undefined;
  let decoded: string;
  try {
    decoded = decodeURI(src.replace(/[?#].*$/, ""));
  } catch {
    return undefined;
  }
  return decoded.startsWith("/") ? path.join(siteRoot, decoded) : path.resolve(path.dirname(documentFile), decoded);
}

/** `file` relative to `root`, '/'-separated, or undefined when it lies outside `root`. */
export function relativeInside(root: string, file: string): string | undefined {
  const relative = path.relative(root, file);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join("/");
}
