import * as path from "node:path";

/** A path from the document's folder to the image, for a new reference; both '/'-separated and folder-relative. */
export function relativeImagePath(docPath: string, imagePath: string): string {
  const relative = path.posix.relative(path.posix.dirname(docPath), imagePath);
  return relative.startsWith(".") ? relative : `./${relative}`;
}
