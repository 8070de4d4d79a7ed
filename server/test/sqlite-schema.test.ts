// Schema versions and forward migrations on real SQLite files: the version-1 files in fixtures/schema-v1 were written
// by the code before versions were recorded (collection schema "1" in meta; the text-feature cache and the file
// digests in one unversioned file), and must open, upgrade and keep their data.
import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Llm2ClipError } from "../src/errors";
import { rememberedDigest } from "../src/model/fingerprint";
import { TEXT_CACHE_FILE, TextFeatureCache } from "../src/model/text-feature-cache";
import { hasTable, migrate, type SqliteSchema } from "../src/sqlite-schema";
import { Collection, openDatabase } from "../src/store/collection";

const V1 = join(__dirname, "fixtures/schema-v1");
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sqlite-schema-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const versions = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(db.prepare<[], { schema: string; version: number }>("SELECT schema, version FROM schema_versions").all().map((r) => [r.schema, r.version]));
  } finally {
    db.close();
  }
};

describe("a version-1 collection", () => {
  it("upgrades to version 3 (OCR text tables) and keeps its model, assets, contents and alt texts", async () => {
    const file = join(dir, "collection.sqlite");
    copyFileSync(join(V1, "collection.sqlite"), file);
    const collection = new Collection("v1", openDatabase(file), { name: "tiny-llm2clip", embedDim: 4 });
    expect(collection.modelStamp).toEqual({ name: "tiny-llm2clip", embedDim: 4 });
    expect(collection.assetCount).toBe(3);
    expect(collection.contentCount).toBe(2);
    expect(collection.asset("images/blue.png")?.altTexts.slice().sort()).toEqual(["a blue square", "blue"]);
    expect(collection.asset("copy/red.png")?.mtimeMs).toBe(1_700_000_000_001);
    const ranked = await collection.rank(new Float32Array([0, 0.6, 0.8, 0]), 1);
    expect(ranked.map((r) => [r.asset.path, r.score])).toEqual([["images/blue.png", expect.closeTo(1, 5)]]);
    collection.close();

    expect(versions(file)).toEqual({ collection: 3 });
    const db = new Database(file, { readonly: true });
    expect(hasTable(db, "content_texts")).toBe(true);
    expect(db.prepare("SELECT key FROM meta ORDER BY key").pluck().all()).toEqual(["embed_dim", "model", "updated_ms"]);
    db.close();
    const reopened = new Collection("v1", openDatabase(file), { name: "tiny-llm2clip", embedDim: 4 });
    expect(reopened.assetCount).toBe(3);
    reopened.close();
  });

  it("is refused, unchanged, when it comes from a newer build", () => {
    const file = join(dir, "collection.sqlite");
    copyFileSync(join(V1, "collection.sqlite"), file);
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '4' WHERE key = 'schema'").run();
    db.close();
    const open = () => new Collection("future", openDatabase(file), { name: "tiny-llm2clip", embedDim: 4 });
    expect(open).toThrow(Llm2ClipError);
    expect(open).toThrow("collection 'future': collection schema version 4 is newer than this build's (3); upgrade llm2clipd");
    const after = new Database(file, { readonly: true });
    expect(hasTable(after, "schema_versions")).toBe(false);
    after.close();
  });
});

describe("a version-1 text-feature cache with remembered file digests", () => {
  it("records both schemas at version 1 and keeps the cached features and digests", async () => {
    copyFileSync(join(V1, TEXT_CACHE_FILE), join(dir, TEXT_CACHE_FILE));
    const cache = new TextFeatureCache({ fingerprint: "fp-v1", memoryEntries: 4, dir });
    expect(cache.get("a red circle")).toEqual({ features: new Float32Array([0.25, -0.5, 1]), truncated: false, tokenCount: 5 });
    expect(cache.get("a long caption")).toEqual({ features: new Float32Array([1, 2, 3]), truncated: true, tokenCount: 77 });
    cache.close();

    const file = join(dir, TEXT_CACHE_FILE);
    const digested = join(dir, "weights.bin");
    copyFileSync(join(V1, "collection.sqlite"), digested);
    const digest = await rememberedDigest(file)(digested);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(versions(file)).toEqual({ "text-features": 1, "file-digests": 1 });
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM file_digests").pluck().get()).toBe(2);
    db.close();
  });
});

describe("migrate", () => {
  const created: string[] = [];
  const schema = (steps: SqliteSchema["steps"]): SqliteSchema => ({ name: "test", steps, unrecordedVersion: (db) => (hasTable(db, "t") ? 1 : 0) });
  const v1 = (db: Database.Database) => {
    created.push("v1");
    db.exec("CREATE TABLE t (a INTEGER)");
  };
  const v2 = (db: Database.Database) => {
    created.push("v2");
    db.exec("ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x'");
  };

  it("runs only the steps a file lacks, in order, and records the version", () => {
    const db = new Database(join(dir, "t.sqlite"));
    created.length = 0;
    expect(migrate(db, schema([v1]), "t.sqlite")).toBe(0);
    db.prepare("INSERT INTO t (a) VALUES (7)").run();
    expect(migrate(db, schema([v1, v2]), "t.sqlite")).toBe(1);
    expect(migrate(db, schema([v1, v2]), "t.sqlite")).toBe(2);
    expect(created).toEqual(["v1", "v2"]);
    expect(db.prepare("SELECT a, b FROM t").all()).toEqual([{ a: 7, b: "x" }]);
    db.close();
  });

  it("rolls a failed upgrade back whole", () => {
    const db = new Database(join(dir, "t.sqlite"));
    migrate(db, schema([v1]), "t.sqlite");
    const broken = (d: Database.Database) => {
      v2(d);
      throw new Error("step 2 failed");
    };
    expect(() => migrate(db, schema([v1, broken]), "t.sqlite")).toThrow("step 2 failed");
    expect(db.prepare("SELECT name FROM pragma_table_info('t')").pluck().all()).toEqual(["a"]);
    expect(db.prepare("SELECT version FROM schema_versions WHERE schema = 'test'").pluck().get()).toBe(1);
    db.close();
  });
});
