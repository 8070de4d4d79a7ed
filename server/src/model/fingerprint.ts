// The identity of a model's text features. The LLM is frozen, so its pooled features for a caption depend only on
// the llm graph's weights, the tokenizer and the prompt (the manifest's `text` section): hash exactly those.
// A real llm.onnx is many GB, so file digests can be remembered in a SQLite file by (path, size, mtime), as make
// and rsync judge files, and are then computed once rather than at every start.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import Database from "better-sqlite3";
import { hasTable, migrate, type SqliteSchema } from "../sqlite-schema";

export type FileDigest = (file: string) => Promise<string>;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const FILE_DIGESTS_SCHEMA: SqliteSchema = {
  name: "file-digests",
  steps: [(db) => db.exec("CREATE TABLE IF NOT EXISTS file_digests (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, sha256 TEXT NOT NULL)")],
  unrecordedVersion: (db) => (hasTable(db, "file_digests") ? 1 : 0),
};

interface DigestRow {
  size: number;
  mtime_ms: number;
  sha256: string;
}

/** A FileDigest that remembers its answers in `dbFile`, keyed by absolute path and checked against size and mtime. */
export function rememberedDigest(dbFile: string): FileDigest {
  return async (file) => {
    const info = await stat(file);
    const db = new Database(dbFile);
    try {
      db.pragma("journal_mode = WAL");
      migrate(db, FILE_DIGESTS_SCHEMA, dbFile);
      const row = db.prepare<[string], DigestRow>("SELECT size, mtime_ms, sha256 FROM file_digests WHERE path = ?").get(file);
      if (row && row.size === info.size && row.mtime_ms === info.mtimeMs) return row.sha256;
      const digest = await sha256File(file);
      db.prepare("INSERT OR REPLACE INTO file_digests (path, size, mtime_ms, sha256) VALUES (?, ?, ?, ?)").run(file, info.size, info.mtimeMs, digest);
      return digest;
    } finally {
      db.close();
    }
  };
}

export async function textFeatureFingerprint(
  llmFile: string,
  tokenizerFile: string,
  textSection: unknown,
  digest: FileDigest = sha256File,
): Promise<string> {
  const parts = [await digest(llmFile), await digest(tokenizerFile), JSON.stringify(textSection)];
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}
