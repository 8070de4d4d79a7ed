// "Pre-extracted text features", served live: the LLM is frozen, so the pooled features of (model, caption) never
// change. They are kept in a bounded in-memory LRU and, when a cache folder is given, in a SQLite file that
// survives restarts. Keys are sha256(model fingerprint, caption), so several models can share one file.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { hasTable, migrate, type SqliteSchema } from "../sqlite-schema";

export interface CachedFeatures {
  features: Float32Array;
  truncated: boolean;
  tokenCount: number;
}

export interface TextFeatureCacheOptions {
  fingerprint: string;
  /** Most captions kept in memory. */
  memoryEntries: number;
  /** Folder for the persistent cache; memory only when absent. */
  dir?: string;
  /**
   * Told when a write to the persistent cache fails (a full disk, a read-only folder). The cache is optional, so the
   * caption's features are still returned and kept in memory; `failures` counts the failed writes so far.
   */
  onWriteError?: (error: Error, failures: number) => void;
}

export const TEXT_CACHE_FILE = "text-features.sqlite";

const TEXT_FEATURES_SCHEMA: SqliteSchema = {
  name: "text-features",
  steps: [
    (db) =>
      db.exec(
        "CREATE TABLE IF NOT EXISTS text_features (key TEXT PRIMARY KEY, features BLOB NOT NULL, truncated INTEGER NOT NULL, token_count INTEGER NOT NULL) WITHOUT ROWID",
      ),
  ],
  unrecordedVersion: (db) => (hasTable(db, "text_features") ? 1 : 0),
};

interface Row {
  features: Buffer;
  truncated: number;
  token_count: number;
}

export class TextFeatureCache {
  private readonly memory = new Map<string, CachedFeatures>();
  private readonly db: Database.Database | undefined;
  private readonly select: Database.Statement<[string], Row> | undefined;
  private readonly insert: Database.Statement<[string, Buffer, number, number]> | undefined;
  private writeFailures = 0;

  constructor(private readonly options: TextFeatureCacheOptions) {
    if (options.dir === undefined) return;
    mkdirSync(options.dir, { recursive: true });
    const file = path.join(options.dir, TEXT_CACHE_FILE);
    this.db = new Database(file);
    // WAL: readers never wait for the writer, and a commit is an append; NORMAL sync is safe with WAL against
    // process crashes, and a cache can afford to lose its last entries on power loss.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    migrate(this.db, TEXT_FEATURES_SCHEMA, file);
    this.select = this.db.prepare("SELECT features, truncated, token_count FROM text_features WHERE key = ?");
    this.insert = this.db.prepare(
      "INSERT OR REPLACE INTO text_features (key, features, truncated, token_count) VALUES (?, ?, ?, ?)",
    );
  }

  /** The features of a caption (as given to the LLM, i.e. stripped), from memory or disk. */
  get(caption: string): CachedFeatures | undefined {
    const key = this.key(caption);
    const hit = this.memory.get(key);
    if (hit) {
      this.memory.delete(key);
      this.memory.set(key, hit);
      return hit;
    }
    const row = this.select?.get(key);
    if (!row) return undefined;
    const bytes = new Uint8Array(row.features);
    const entry = {
      features: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
      truncated: row.truncated === 1,
      tokenCount: row.token_count,
    };
    this.remember(key, entry);
    return entry;
  }

  set(caption: string, entry: CachedFeatures): void {
    const key = this.key(caption);
    this.remember(key, entry);
    const { buffer, byteOffset, byteLength } = entry.features;
    try {
      this.insert?.run(key, Buffer.from(buffer, byteOffset, byteLength), entry.truncated ? 1 : 0, entry.tokenCount);
    } catch (error) {
      if (!(error instanceof Database.SqliteError)) throw error;
      this.options.onWriteError?.(error, ++this.writeFailures);
    }
  }

  close(): void {
    this.db?.close();
  }

  private key(caption: string): string {
    return createHash("sha256").update(this.options.fingerprint).update("\0").update(caption).digest("hex");
  }

  private remember(key: string, entry: CachedFeatures): void {
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > this.options.memoryEntries) {
      this.memory.delete(this.memory.keys().next().value as string);
    }
  }
}
