import { invalidArgument } from "../errors";

export const MAX_COLLECTION_NAME_LENGTH = 64;
export const MAX_ASSET_PATH_LENGTH = 1024;
const COLLECTION_NAME = /^[A-Za-z0-9._-]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Collection names become file names, so they are limited to a portable character set. */
export function validateCollectionName(name: string, field: string): string {
  if (name.length === 0) throw invalidArgument(field, "a collection name is required");
  if (name.length > MAX_COLLECTION_NAME_LENGTH) {
    throw invalidArgument(field, `collection name is ${name.length} characters, the limit is ${MAX_COLLECTION_NAME_LENGTH}`);
  }
  if (!COLLECTION_NAME.test(name) || name === "." || name === "..") {
    throw invalidArgument(field, `collection name ${JSON.stringify(name)} may only use the characters A-Z a-z 0-9 . _ - (and is not . or ..)`);
  }
  return name;
}

/** A path relative to the collection root, '/'-separated, that cannot escape the root on any platform. */
export function validateAssetPath(path: string, field: string): string {
  if (path.length === 0) throw invalidArgument(field, "a path is required");
  if (path.length > MAX_ASSET_PATH_LENGTH) {
    throw invalidArgument(field, `path is ${path.length} characters, the limit is ${MAX_ASSET_PATH_LENGTH}`);
  }
  if (path.includes("\0")) throw invalidArgument(field, "path contains a NUL character");
  if (path.includes("\\")) throw invalidArgument(field, `path ${JSON.stringify(path)} contains a backslash; use '/' separators`);
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    throw invalidArgument(field, `path ${JSON.stringify(path)} is absolute; it must be relative to the collection root`);
  }
  for (const segment of path.split("/")) {
    if (segment === "..") throw invalidArgument(field, `path ${JSON.stringify(path)} escapes the collection root with '..'`);
    if (segment === "" || segment === ".") {
      throw invalidArgument(field, `path ${JSON.stringify(path)} has an empty or '.' segment; give it in normal form`);
    }
  }
  return path;
}

export function validateSha256(sha256: string, field: string): string {
  if (!SHA256_HEX.test(sha256)) {
    throw invalidArgument(field, `${JSON.stringify(sha256.slice(0, 80))} is not a lower-case hex SHA-256 (64 characters)`);
  }
  return sha256;
}
