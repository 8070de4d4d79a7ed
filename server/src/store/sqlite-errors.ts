import { SqliteError } from "better-sqlite3";
import { Llm2ClipError } from "../errors";

/**
 * Turns a SQLite failure into a domain error that names the collection. Writes run in transactions, so when this is
 * thrown the database is as it was before the write began.
 */
export function storeError(collection: string, error: unknown): unknown {
  if (!(error instanceof SqliteError)) return error;
  const code = error.code;
  if (code === "SQLITE_FULL") {
    return new Llm2ClipError(
      "resource_exhausted",
      `collection '${collection}': the disk holding its database is full (${code}); the write was rolled back, free space and retry`,
    );
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return new Llm2ClipError(
      "failed_precondition",
      `collection '${collection}': its database is read-only (${code}); the write was rolled back`,
    );
  }
  if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")) {
    return new Llm2ClipError(
      "failed_precondition",
      `collection '${collection}': its database cannot be written (${code}: ${error.message}); the write was rolled back`,
    );
  }
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB") {
    return new Llm2ClipError("failed_precondition", `collection '${collection}': its database is damaged (${code}); delete and re-sync it`);
  }
  return error;
}
