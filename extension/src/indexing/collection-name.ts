// One daemon collection per workspace folder. Collection names are limited to [A-Za-z0-9._-] and 64 characters;
// a hash of the folder's URI keeps two folders with the same name apart.
import { createHash } from "node:crypto";

export function collectionName(folderName: string, folderUri: string): string {
  const slug = folderName.normalize("NFKD").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 48) || "workspace";
  return `${slug}-${createHash("sha256").update(folderUri).digest("hex").slice(0, 8)}`;
}
