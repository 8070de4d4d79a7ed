// Where a site-rooted image source (`/assets/x.png`) lives. Static-site generators serve a folder as the site's root:
// Hugo and Docusaurus static/, Next.js and Vite public/, VitePress docs/public/; Jekyll serves the repository itself,
// so /assets/x.png is assets/x.png. Without --root, the candidate under which most site-rooted sources exist wins.
import { stat } from "node:fs/promises";
import path from "node:path";
import { resolveImageFile } from "../files";

export const SITE_ROOT_CANDIDATES = ["static", "public", "docs/public", "assets", "."];

export interface SiteRoot {
  dir: string;
  /** "option": --root; "detected": the candidate that resolves the most site-rooted sources; "default": none did, the working directory. */
  how: "option" | "detected" | "default";
  /** Site-rooted sources, and how many of them exist under `dir`. */
  siteRooted: number;
  found: number;
}

export function isSiteRooted(src: string): boolean {
  return src.startsWith("/") && !src.startsWith("//");
}

export async function chooseSiteRoot(cwd: string, option: string | undefined, sources: readonly string[]): Promise<SiteRoot> {
  const siteRooted = sources.length;
  const found = async (dir: string) => {
    const exists = new Map<string, boolean>();
    let n = 0;
    for (const src of sources) {
      if (!exists.has(src)) {
        const file = resolveImageFile(path.join(dir, "index.md"), src, dir);
        exists.set(src, file !== undefined && (await isFile(file)));
      }
      if (exists.get(src)) n += 1;
    }
    return n;
  };
  if (option !== undefined) {
    const dir = path.resolve(cwd, option);
    return { dir, how: "option", siteRooted, found: await found(dir) };
  }
  let best: SiteRoot = { dir: cwd, how: "default", siteRooted, found: 0 };
  if (siteRooted === 0) return best;
  for (const candidate of SITE_ROOT_CANDIDATES) {
    const dir = path.resolve(cwd, candidate);
    if (!(await isDirectory(dir))) continue;
    const n = await found(dir);
    if (n > best.found) best = { dir, how: "detected", siteRooted, found: n };
  }
  return best;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}
