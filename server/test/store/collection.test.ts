import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { createMatrixScan } from "../../src/runtime/matrix-scan";
import type { MatrixScan } from "../../src/store/scan";
import { Collection, openDatabase } from "../../src/store/collection";
import { MODEL, asset, content, scratchFolder, unit } from "./collection-fixtures";

describe("Collection", () => {
  const scratch = scratchFolder();
  let file: string;
  beforeEach(() => {
    file = scratch.file();
  });

  it("stores contents once per hash, survives reopening, and ranks paths by cosine", async () => {
    const c = new Collection("c", openDatabase(file), MODEL);
    c.addContent(content(1, unit(1, 0)), [asset("a/red.png", 1, ["a red thing"]), asset("copy/red.png", 1)]);
    c.addContent(content(2, unit(0, 1)), [asset("b/blue.png", 2)]);
    c.close();

    const reopened = new Collection("c", openDatabase(file), MODEL);
    expect(reopened.assetCount).toBe(3);
    expect(reopened.contentCount).toBe(2);
    expect(reopened.asset("a/red.png")?.altTexts).toEqual(["a red thing"]);
    const ranked = await reopened.rank(unit(1, 0.2), 2);
    expect(ranked.map((r) => r.asset.path).sort()).toEqual(["a/red.png", "copy/red.png"]);
    expect(ranked[0]!.score).toBeCloseTo(1 / Math.hypot(1, 0.2), 5);
    expect(ranked[0]!.asset.content).toMatchObject({ width: 10, height: 5, size: 101 });
    const filtered = await reopened.rank(unit(1, 0.2), 2, (a) => a.path.startsWith("b/"));
    expect(filtered.map((r) => r.asset.path)).toEqual(["b/blue.png"]);
    expect((await reopened.rank(unit(1, 0.2), 5, undefined, 0.5)).map((r) => r.asset.path)).not.toContain("b/blue.png");
    reopened.close();
  });

  describe("from 4,096 assets on, scored through a MatrixScan", () => {
    const ROWS = 5000;
    // Pseudo-random directions in all 8 dimensions, so that no two assets nearly tie.
    const vectorOf = (n: number) => unit(...Array.from({ length: MODEL.embedDim }, (_, i) => Math.sin(n * 12.9898 + i * 78.233) * 43758.5453 % 1));
    // The rows are written in one transaction straight into the collection's tables, as 5,000 syncs would leave them:
    // 5,000 addContent calls, each its own synced transaction, took about 20 s, and every mutation of the write path
    // would run them. The write path has its own tests (collection-writes.test.ts).
    const fill = (scan: MatrixScan) => {
      new Collection("c", openDatabase(file), MODEL).close();
      const db = new Database(file);
      const addContent = db.prepare("INSERT INTO contents (sha256, size, width, height, embedding) VALUES (?, ?, ?, ?, ?)");
      const addAsset = db.prepare("INSERT INTO assets (path, sha256, size, mtime_ms) VALUES (?, ?, ?, ?)");
      db.transaction(() => {
        for (let n = 1; n <= ROWS; n++) {
          const { sha256, size, width, height, embedding } = content(n, vectorOf(n));
          addContent.run(sha256, size, width, height, Buffer.from(embedding.buffer));
          const { path, mtimeMs } = asset(`img/${n}.png`, n);
          addAsset.run(path, sha256, size, mtimeMs);
        }
      })();
      db.close();
      return new Collection("c", openDatabase(file), MODEL, scan);
    };

    it("ranks as V8's scan does", async () => {
      const c = fill(createMatrixScan());
      const query = unit(0.3, -0.9, 0.2, 0.5);
      const ranked = await c.rank(query, 5);
      c.close();
      const plain = new Collection("c", openDatabase(file), MODEL);
      const expected = await plain.rank(query, 5);
      plain.close();
      expect(ranked.map((r) => r.asset.path)).toEqual(expected.map((r) => r.asset.path));
      ranked.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 5));
    });

    it("scores again when a sync moved rows while the scan ran", async () => {
      let c: Collection | undefined;
      // A scan during which the first asset is deleted, so the last row moves into its place: its scores are stale.
      const racing: MatrixScan = {
        async scores(matrix, rows, query) {
          const stale = await createMatrixScan().scores(matrix, rows, query);
          c!.applyPaths([], ["img/1.png"]);
          return stale;
        },
      };
      c = fill(racing);
      const ranked = await c.rank(vectorOf(ROWS), 1);
      expect(ranked[0]!.asset.path).toBe(`img/${ROWS}.png`);
      expect(ranked[0]!.score).toBeCloseTo(1, 5);
      c.close();
    });
  });

  it("keeps a score equal to minScore, and asks the filter only about assets that could still enter the top k", async () => {
    const c = new Collection("c", openDatabase(file), MODEL);
    // Scores against unit(1, 0): exactly 1 for the first two paths, 0 for the third; the best are added first.
    c.addContent(content(1, unit(1, 0)), [asset("best.png", 1), asset("tie.png", 1)]);
    c.addContent(content(2, unit(0, 1)), [asset("orthogonal.png", 2)]);
    expect((await c.rank(unit(1, 0), 5, undefined, 0)).map((r) => r.asset.path).sort()).toEqual(["best.png", "orthogonal.png", "tie.png"]);
    expect((await c.rank(unit(1, 0), 5, undefined, 0.5)).map((r) => r.asset.path).sort()).toEqual(["best.png", "tie.png"]);
    const asked: string[] = [];
    const ranked = await c.rank(unit(1, 0), 1, (a) => (asked.push(a.path), true));
    expect(ranked.map((r) => [r.asset.path, r.score])).toEqual([["best.png", 1]]);
    expect(asked).toEqual(["best.png"]);
    c.close();
  });

  it("drops a content when its last path is deleted or re-pointed, and keeps the vector index consistent", async () => {
    const c = new Collection("c", openDatabase(file), MODEL);
    c.addContent(content(1, unit(1, 0)), [asset("one.png", 1)]);
    c.addContent(content(2, unit(0, 1)), [asset("two.png", 2)]);
    c.addContent(content(3, unit(0, 0, 1)), [asset("three.png", 3)]);
    c.applyPaths([asset("renamed.png", 1)], ["one.png"]);
    expect(c.contentCount).toBe(3);
    c.applyPaths([], ["two.png"]);
    expect(c.contentCount).toBe(2);
    const best = await c.rank(unit(0, 0, 1), 1);
    expect(best[0]!.asset.path).toBe("three.png");
    expect(best[0]!.score).toBeCloseTo(1, 5);
    c.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM contents").get()).toEqual({ n: 2 });
    expect(db.prepare("SELECT path FROM assets ORDER BY path").all()).toEqual([{ path: "renamed.png" }, { path: "three.png" }]);
    db.close();
  });

  it("refuses to compare vectors of another model and re-stamps on reset", () => {
    const c = new Collection("c", openDatabase(file), MODEL);
    c.addContent(content(1, unit(1)), [asset("x.png", 1)]);
    c.close();
    const other = { name: "other", embedDim: 4 };
    const reopened = new Collection("c", openDatabase(file), other);
    expect(reopened.modelMismatch(other)).toMatch(/indexed with model 'test-model'.*serves 'other'/);
    reopened.resetForModel(other);
    expect(reopened.modelMismatch(other)).toBeUndefined();
    expect(reopened.assetCount).toBe(0);
    reopened.close();
  });

  it("reports a full disk as RESOURCE_EXHAUSTED naming the collection, with nothing half-written", () => {
    const db = openDatabase(file);
    const c = new Collection("photos", db, MODEL);
    c.addContent(content(1, unit(1)), [asset("first.png", 1)]);
    // max_page_count caps the database file: SQLite then fails writes with SQLITE_FULL, exactly as on a full disk.
    const pages = (db.pragma("page_count", { simple: true }) as number) + 1;
    db.pragma(`max_page_count = ${pages}`);
    const many = Array.from({ length: 400 }, (_, i) => asset(`dir/${"long-name-".repeat(8)}${i}.png`, 1, [`alt text number ${i} `.repeat(10)]));
    let error: unknown;
    try {
      c.addContent(content(2, unit(0, 1)), many);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Llm2ClipError);
    expect((error as Llm2ClipError).kind).toBe("resource_exhausted");
    expect((error as Llm2ClipError).message).toMatch(/collection 'photos'.*full/);
    expect(c.assetCount).toBe(1);
    expect(c.contentCount).toBe(1);
    c.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM assets").get()).toEqual({ n: 1 });
    expect(check.prepare("SELECT count(*) AS n FROM contents").get()).toEqual({ n: 1 });
    check.close();
  });

  it("reports a read-only database as FAILED_PRECONDITION naming the collection", () => {
    const c = new Collection("c", openDatabase(file), MODEL);
    c.addContent(content(1, unit(1)), [asset("first.png", 1)]);
    c.close();
    const readonly = new Collection("docs", new Database(file, { readonly: true }), MODEL);
    expect(readonly.assetCount).toBe(1);
    expect(() => readonly.applyPaths([], ["first.png"])).toThrow(/collection 'docs': its database is read-only \(SQLITE_READONLY/);
    expect(readonly.assetCount).toBe(1);
    readonly.close();
  });
});
