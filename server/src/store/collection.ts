import Database, { SqliteError } from "better-sqlite3";
import { hasTable, migrate, type SqliteSchema } from "../sqlite-schema";
import type { MatrixScan } from "./scan";
import { storeError } from "./sqlite-errors";
import { TopK } from "./top-k";
import { VectorIndex, type Indexed } from "./vector-index";

/** The model whose embedding space a collection's vectors live in. */
export interface ModelStamp {
  name: string;
  embedDim: number;
}

export interface AssetInput {
  path: string;
  sha256: string;
  size: number;
  mtimeMs: number;
  altTexts: readonly string[];
}

export interface ContentInput {
  sha256: string;
  size: number;
  width: number;
  height: number;
  /** L2-normalised, the model's embed_dim wide. */
  embedding: Float32Array;
}

export interface ContentEntry extends Indexed {
  readonly sha256: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
}

export interface AssetEntry {
  readonly path: string;
  readonly content: ContentEntry;
  readonly size: number;
  readonly mtimeMs: number;
  readonly altTexts: readonly string[];
}

/** A line of text read in a content (OCR), its box in the image's pixels. */
export interface TextLineRecord {
  text: string;
  confidence: number;
  box: { x: number; y: number; width: number; height: number };
}

export interface ContentText {
  lines: TextLineRecord[];
  /** Why the text could not be read; lines are then empty. */
  error?: string;
}

export interface TextCandidate {
  sha256: string;
  lines: TextLineRecord[];
  /** The searchable form the caller stored with the lines. */
  searchable: string;
}

export interface RankedAsset {
  asset: AssetEntry;
  score: number;
}

// Contents are keyed by SHA-256, so identical bytes under several paths are embedded and stored once, and a rename only
// rewrites an `assets` row. Alt texts hang off the path, since documents refer to paths.
// Version 1 recorded its version as meta's `schema` key; version 2 records it in schema_versions like every file.
const COLLECTION_SCHEMA: SqliteSchema = {
  name: "collection",
  steps: [
    (db) =>
      db.exec(`
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contents (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  embedding BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS assets (
  path TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL REFERENCES contents(sha256),
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS assets_by_sha256 ON assets(sha256);
CREATE TABLE IF NOT EXISTS alt_texts (
  path TEXT NOT NULL REFERENCES assets(path) ON DELETE CASCADE,
  text TEXT NOT NULL,
  PRIMARY KEY (path, text)
);
`),
    (db) => db.prepare("DELETE FROM meta WHERE key = 'schema'").run(),
    // Version 3: the text read in an image (OCR) hangs off its content, so it is read once per content. Its searchable
    // form has a full-text index with the trigram tokenizer, which matches any substring of three characters or more,
    // Chinese (no spaces between words) as well as English, and also serves LIKE '%...%'.
    (db) =>
      db.exec(`
CREATE TABLE IF NOT EXISTS content_texts (
  sha256 TEXT PRIMARY KEY REFERENCES contents(sha256) ON DELETE CASCADE,
  lines TEXT NOT NULL,
  searchable TEXT NOT NULL,
  error TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS content_texts_fts USING fts5(searchable, content='content_texts', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS content_texts_insert AFTER INSERT ON content_texts BEGIN
  INSERT INTO content_texts_fts(rowid, searchable) VALUES (new.rowid, new.searchable);
END;
CREATE TRIGGER IF NOT EXISTS content_texts_delete AFTER DELETE ON content_texts BEGIN
  INSERT INTO content_texts_fts(content_texts_fts, rowid, searchable) VALUES ('delete', old.rowid, old.searchable);
END;
`),
  ],
  unrecordedVersion(db) {
    if (!hasTable(db, "meta")) return 0;
    const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get();
    return Number(row?.value ?? 1);
  },
};

/** Opens (creating if needed) a collection database with the durability every acknowledged write relies on. */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // In WAL mode NORMAL survives a process crash but may lose the last commits on power loss; FULL syncs the WAL on
  // every commit, so a progress event the daemon has sent is on disk even if the machine goes down right after.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}

/**
 * One collection: its SQLite database and an in-memory mirror of it (assets by path, vectors in one VectorIndex).
 * Every write is one transaction; the mirror changes only after the transaction has committed.
 */
export class Collection {
  private readonly assetsByPath = new Map<string, AssetEntry>();
  private readonly contentsBySha = new Map<string, ContentEntry>();
  private index: VectorIndex<ContentEntry>;
  private model: ModelStamp;
  private updated: number;
  private db: Database.Database;

  /**
   * `database` is an open connection, or a function that opens one: then a write that fails because the storage was
   * read-only or failing is retried once on a fresh connection, since SQLite keeps a connection opened on read-only
   * storage read-only after the storage recovers.
   */
  constructor(
    readonly name: string,
    private readonly database: Database.Database | (() => Database.Database),
    served: ModelStamp,
    private readonly scan?: MatrixScan,
  ) {
    try {
      this.db = typeof database === "function" ? database() : database;
    } catch (error) {
      throw storeError(name, error);
    }
    const db = this.db;
    try {
      migrate(db, COLLECTION_SCHEMA, `collection '${name}'`);
      const meta = new Map(
        (db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
      );
      if (!meta.has("model")) {
        const stamp = { model: served.name, embed_dim: String(served.embedDim), updated_ms: String(Date.now()) };
        this.writeMeta(stamp);
        for (const [key, value] of Object.entries(stamp)) meta.set(key, value);
      }
      this.model = { name: meta.get("model")!, embedDim: Number(meta.get("embed_dim")) };
      this.updated = Number(meta.get("updated_ms") ?? 0);
      this.index = new VectorIndex(this.model.embedDim);
      this.load();
    } catch (error) {
      db.close();
      throw storeError(name, error);
    }
  }

  get assetCount(): number {
    return this.assetsByPath.size;
  }

  get contentCount(): number {
    return this.contentsBySha.size;
  }

  get totalBytes(): number {
    let total = 0;
    for (const asset of this.assetsByPath.values()) total += asset.size;
    return total;
  }

  get updatedMs(): number {
    return this.updated;
  }

  get modelStamp(): ModelStamp {
    return this.model;
  }

  asset(path: string): AssetEntry | undefined {
    return this.assetsByPath.get(path);
  }

  assets(): IterableIterator<AssetEntry> {
    return this.assetsByPath.values();
  }

  hasContent(sha256: string): boolean {
    return this.contentsBySha.has(sha256);
  }

  /** The stored content with this hash, if any. */
  content(sha256: string): ContentEntry | undefined {
    return this.contentsBySha.get(sha256);
  }

  embedding(content: ContentEntry): Float32Array {
    return this.index.vector(content);
  }

  /** Why vectors of this collection can't be compared with the served model's, or undefined when they can. */
  modelMismatch(served: ModelStamp): string | undefined {
    if (this.model.name === served.name && this.model.embedDim === served.embedDim) return undefined;
    return `collection '${this.name}' was indexed with model '${this.model.name}' (D=${this.model.embedDim}) but the daemon serves '${served.name}' (D=${served.embedDim}); sync it again to re-index`;
  }

  /** Drops every asset and vector and stamps the collection with the served model, so that a sync re-embeds all. */
  resetForModel(served: ModelStamp): void {
    this.write(() => {
      this.db.exec("DELETE FROM alt_texts; DELETE FROM assets; DELETE FROM content_texts; DELETE FROM contents;");
      this.writeMeta({ model: served.name, embed_dim: String(served.embedDim) });
    });
    this.assetsByPath.clear();
    this.contentsBySha.clear();
    this.model = { ...served };
    this.index = new VectorIndex(served.embedDim);
  }

  /**
   * Points paths at contents the collection already has and deletes paths, in one transaction; writes nothing when
   * nothing changes. Contents that no path references any more are dropped with it.
   */
  applyPaths(allUpserts: readonly AssetInput[], allDeletes: readonly string[]): void {
    for (const input of allUpserts) {
      if (!this.contentsBySha.has(input.sha256)) throw new Error(`content ${input.sha256} is not in collection '${this.name}'`);
    }
    const upserts = allUpserts.filter((input) => this.differs(input));
    const deletes = allDeletes.filter((path) => this.assetsByPath.has(path));
    if (upserts.length === 0 && deletes.length === 0) return;
    const orphans = this.write(() => {
      const released = new Set<string>();
      for (const input of upserts) this.upsertRow(input, released);
      for (const path of deletes) this.deleteRow(path, released);
      return this.dropOrphans(released);
    });
    for (const input of upserts) this.mirrorUpsert(input);
    for (const path of deletes) this.assetsByPath.delete(path);
    this.mirrorDrop(orphans);
  }

  /** Stores one embedded content and points `paths` at it, in one transaction: once this returns, it is durable. */
  addContent(content: ContentInput, paths: readonly AssetInput[]): void {
    if (content.embedding.length !== this.model.embedDim) {
      throw new Error(`embedding has ${content.embedding.length} dimensions, collection '${this.name}' ${this.model.embedDim}`);
    }
    const orphans = this.write(() => {
      this.db
        .prepare("INSERT OR IGNORE INTO contents (sha256, size, width, height, embedding) VALUES (?, ?, ?, ?, ?)")
        .run(content.sha256, content.size, content.width, content.height, Buffer.from(content.embedding.buffer, content.embedding.byteOffset, content.embedding.byteLength));
      const released = new Set<string>();
      for (const input of paths) this.upsertRow(input, released);
      return this.dropOrphans(released);
    });
    if (!this.contentsBySha.has(content.sha256)) {
      const entry: ContentEntry = { sha256: content.sha256, size: content.size, width: content.width, height: content.height, row: -1 };
      this.contentsBySha.set(content.sha256, entry);
      this.index.add(entry, content.embedding);
    }
    for (const input of paths) this.mirrorUpsert(input);
    this.mirrorDrop(orphans);
  }

  /**
   * The `topK` assets closest to `query` (a unit vector in the model's space), best first. `accept` filters paths;
   * it runs only for assets whose score could still enter the top k.
   */
  async rank(query: Float32Array, topK: number, accept: (asset: AssetEntry) => boolean = () => true, minScore = -Infinity): Promise<RankedAsset[]> {
    const scores = await this.index.scoresWith(this.scan, query);
    const best = new TopK<AssetEntry>(topK);
    for (const asset of this.assetsByPath.values()) {
      const score = scores[asset.content.row]!;
      if (score < minScore || score <= best.threshold || !accept(asset)) continue;
      best.offer(score, asset);
    }
    return best.sorted().map(({ score, item }) => ({ asset: item, score }));
  }

  /** Stores the text read in a content (replacing any earlier reading); ignored when the content has left the collection. */
  recordText(sha256: string, text: ContentText, searchable: string): boolean {
    if (!this.contentsBySha.has(sha256)) return false;
    this.write(() => {
      this.db.prepare("DELETE FROM content_texts WHERE sha256 = ?").run(sha256);
      this.db
        .prepare("INSERT INTO content_texts (sha256, lines, searchable, error) VALUES (?, ?, ?, ?)")
        .run(sha256, JSON.stringify(text.lines), searchable, text.error ?? null);
    });
    return true;
  }

  /** The text read in a content, or undefined when it has not been read. */
  text(sha256: string): ContentText | undefined {
    const row = this.db.prepare("SELECT lines, error FROM content_texts WHERE sha256 = ?").get(sha256) as { lines: string; error: string | null } | undefined;
    if (!row) return undefined;
    return row.error === null ? { lines: JSON.parse(row.lines) } : { lines: JSON.parse(row.lines), error: row.error };
  }

  get textsRead(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM content_texts").get() as { n: number }).n;
  }

  /**
   * Contents whose searchable text contains every one of `required` and, when `anyOf` is not empty, at least one of
   * it (substrings, matched case-insensitively by the trigram index; `%` and `_` act as LIKE wildcards, so callers
   * check the candidates). At most `limit`.
   */
  textCandidates(required: readonly string[], anyOf: readonly string[], limit: number): TextCandidate[] {
    if (required.length === 0 && anyOf.length === 0) return [];
    const clauses = required.map(() => "f.searchable LIKE ?");
    if (anyOf.length > 0) clauses.push(`(${anyOf.map(() => "f.searchable LIKE ?").join(" OR ")})`);
    const rows = this.db
      .prepare(
        `SELECT c.sha256, c.lines, c.searchable FROM content_texts_fts f JOIN content_texts c ON c.rowid = f.rowid WHERE ${clauses.join(" AND ")} LIMIT ?`,
      )
      .all(...[...required, ...anyOf].map((s) => `%${s}%`), limit) as { sha256: string; lines: string; searchable: string }[];
    return rows.map((r) => ({ sha256: r.sha256, lines: JSON.parse(r.lines), searchable: r.searchable }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private load(): void {
    const contents = this.db.prepare("SELECT sha256, size, width, height, embedding FROM contents").all() as {
      sha256: string;
      size: number;
      width: number;
      height: number;
      embedding: Buffer;
    }[];
    for (const row of contents) {
      const entry: ContentEntry = { sha256: row.sha256, size: row.size, width: row.width, height: row.height, row: -1 };
      this.contentsBySha.set(row.sha256, entry);
      // Copy: a Buffer from SQLite need not be 4-byte aligned for a Float32Array view.
      this.index.add(entry, new Float32Array(new Uint8Array(row.embedding).buffer));
    }
    const altTexts = new Map<string, string[]>();
    for (const row of this.db.prepare("SELECT path, text FROM alt_texts ORDER BY rowid").all() as { path: string; text: string }[]) {
      let list = altTexts.get(row.path);
      if (!list) altTexts.set(row.path, (list = []));
      list.push(row.text);
    }
    const assets = this.db.prepare("SELECT path, sha256, size, mtime_ms FROM assets").all() as {
      path: string;
      sha256: string;
      size: number;
      mtime_ms: number;
    }[];
    for (const row of assets) {
      this.assetsByPath.set(row.path, {
        path: row.path,
        content: this.contentsBySha.get(row.sha256)!,
        size: row.size,
        mtimeMs: row.mtime_ms,
        altTexts: altTexts.get(row.path) ?? [],
      });
    }
  }

  /** Runs `fn` as one transaction, stamps updated_ms, and maps SQLite failures onto domain errors. */
  private write<T>(fn: () => T): T {
    const now = Date.now();
    const attempt = () =>
      this.db.transaction(() => {
        const value = fn();
        this.writeMeta({ updated_ms: String(now) });
        return value;
      })();
    let result: T;
    try {
      try {
        result = attempt();
      } catch (error) {
        if (typeof this.database !== "function" || !isStorageFailure(error)) throw error;
        this.db.close();
        this.db = this.database();
        result = attempt();
      }
    } catch (error) {
      throw storeError(this.name, error);
    }
    this.updated = now;
    return result;
  }

  private writeMeta(values: Record<string, string>): void {
    const statement = this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    for (const [key, value] of Object.entries(values)) statement.run(key, value);
  }

  private differs(input: AssetInput): boolean {
    const existing = this.assetsByPath.get(input.path);
    return (
      !existing ||
      existing.content.sha256 !== input.sha256 ||
      existing.size !== input.size ||
      existing.mtimeMs !== input.mtimeMs ||
      !sameTexts(existing.altTexts, input.altTexts)
    );
  }

  private upsertRow(input: AssetInput, released: Set<string>): void {
    const previous = this.assetsByPath.get(input.path);
    if (previous && previous.content.sha256 !== input.sha256) released.add(previous.content.sha256);
    if (!previous || previous.content.sha256 !== input.sha256 || previous.size !== input.size || previous.mtimeMs !== input.mtimeMs) {
      this.db
        .prepare(
          "INSERT INTO assets (path, sha256, size, mtime_ms) VALUES (?, ?, ?, ?) " +
            "ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, mtime_ms = excluded.mtime_ms",
        )
        .run(input.path, input.sha256, input.size, input.mtimeMs);
    }
    if (!previous || !sameTexts(previous.altTexts, input.altTexts)) {
      this.db.prepare("DELETE FROM alt_texts WHERE path = ?").run(input.path);
      const insert = this.db.prepare("INSERT OR IGNORE INTO alt_texts (path, text) VALUES (?, ?)");
      for (const text of input.altTexts) insert.run(input.path, text);
    }
  }

  private deleteRow(path: string, released: Set<string>): void {
    const previous = this.assetsByPath.get(path);
    if (!previous) return;
    released.add(previous.content.sha256);
    this.db.prepare("DELETE FROM assets WHERE path = ?").run(path);
  }

  private dropOrphans(candidates: Set<string>): string[] {
    const drop = this.db.prepare("DELETE FROM contents WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM assets WHERE sha256 = ?)");
    return [...candidates].filter((sha256) => drop.run(sha256, sha256).changes > 0);
  }

  private mirrorUpsert(input: AssetInput): void {
    this.assetsByPath.set(input.path, {
      path: input.path,
      content: this.contentsBySha.get(input.sha256)!,
      size: input.size,
      mtimeMs: input.mtimeMs,
      altTexts: [...new Set(input.altTexts)],
    });
  }

  private mirrorDrop(orphans: readonly string[]): void {
    for (const sha256 of orphans) {
      const entry = this.contentsBySha.get(sha256);
      if (!entry) continue;
      this.index.remove(entry);
      this.contentsBySha.delete(sha256);
    }
  }
}

function isStorageFailure(error: unknown): boolean {
  return error instanceof SqliteError && /^SQLITE_(READONLY|IOERR|CANTOPEN)/.test(error.code);
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((text) => right.has(text));
}
