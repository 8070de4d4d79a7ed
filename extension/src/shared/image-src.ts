// Resolves the `src` of an image reference in a document to a path inside the document's workspace folder.
import * as path from "node:path";

/**
 * `docPath` and the result are '/'-separated and relative to the workspace folder. Absolute srcs (`/img/a.png`) are
 * taken from the folder root, as static site generators do. Returns undefined for URLs with a scheme (http:, data:),
 * protocol-relative URLs and paths that leave the folder.
 */
export function resolveImageSrc(docPath: string, src: string): string | undefined {
  const trimmed = src.trim();
  if (trimmed === "" || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(trimmed) || trimmed.startsWith("//")) return undefined;
  const withoutSuffix = trimmed.replace(/[?#].*$/, "");
  let decoded: string;
  try {
    decoded = decodeURI(withoutSuffix);
  } catch {
    decoded = withoutSuffix;
  }
  const joined = decoded.startsWith("/") ? decoded.slice(1) : path.posix.join(path.posix.dirname(docPath), decoded);
  const normal = path.posix.normalize(joined);
  if (normal === "." || normal === ".." || normal.startsWith("../")) return undefined;
  return normal;
}

/** A path from the document's folder to the image, for a new reference; both '/'-separated and folder-relative. */
export function relativeImagePath(docPath: string, imagePath: string): string {
  const relative = path.posix.relative(path.posix.dirname(docPath), imagePath);
  return relative.startsWith(".") ? relative : `./${relative}`;
}
