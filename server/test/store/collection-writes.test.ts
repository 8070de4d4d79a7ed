// What a collection's writes leave behind, in its in-memory mirror and in its SQLite file: each test checks both, the
// file by reopening it or reading it directly.
import Database from "better-sqlite3";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { Collection, openDatabase } from "../../src/store/collection";
import { MODEL, asset, content, scratchFolder, sha, unit } from "./collection-fixtures";

const scratch = scratchFolder();
const open = (served = MODEL) => new Collection("c", openDatabase(scratch.file()), served);
const paths = (c: Collection) => [...c.assets()].map((a) => a.path).sort();

describe("openDatabase", () => {
  it("opens in WAL mode with every commit synced, foreign keys enforced and a wait for a busy writer", () => {
    const db = openDatabase(scratch.file());
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    db.close();
  });
});

describe("opening a collection", () => {
  it("stamps a new collection with the served model and the time, and keeps both across reopening", () => {
    const before = Date.now();
    const c = open();
    expect(c.modelStamp).toEqual(MODEL);
    expect(c.updatedMs).toBeGreaterThanOrEqual(before);
    expect(c.updatedMs).toBeLessThanOrEqual(Date.now());
    const stamped = c.updatedMs;
    c.close();
    const reopened = open({ name: "other", embedDim: 4 });
    expect(reopened.modelStamp).toEqual(MODEL);
    expect(reopened.updatedMs).toBe(stamped);
    reopened.close();
  });

  it("reports a file that is not a database, and a folder it cannot open, naming the collection", () => {
    writeFileSync(scratch.file(), "not a database, just text that is long enough to be read as a header by SQLite");
    expect(() => new Collection("notes", () => openDatabase(scratch.file()), MODEL)).toThrow(
      expect.objectContaining({ kind: "failed_precondition", message: expect.stringMatching(/^collection 'notes': its database is damaged \(SQLITE_NOTADB\)/) }),
    );
    // A folder where the file should be.
    expect(() => new Collection("gone", () => new Database(scratch.dir()), MODEL)).toThrow(
      expect.objectContaining({ kind: "failed_precondition", message: expect.stringMatching(/^collection 'gone': its database cannot be written \(SQLITE_CANTOPEN/) }),
    );
  });

  it("closes the connection when the file cannot be read as a collection", () => {
    writeFileSync(scratch.file(), "not a database, just text that is long enough to be read as a header by SQLite");
    const db = new Database(scratch.file());
    expect(() => new Collection("notes", db, MODEL)).toThrow(Llm2ClipError);
    expect(db.open).toBe(false);
  });
});

describe("Collection reads", () => {
  it("answers for its contents, their vectors and the bytes of every path", () => {
    const c = open();
    c.addContent(content(1, unit(1, 0)), [asset("a.png", 1), asset("copy-of-a.png", 1)]);
    c.addContent(content(2, unit(0, 1)), [asset("b.png", 2)]);
    expect(c.hasContent(sha(1))).toBe(true);
    expect(c.hasContent(sha(3))).toBe(false);
    expect(c.content(sha(2))).toMatchObject({ sha256: sha(2), size: 102, width: 20, height: 10 });
    expect(c.content(sha(3))).toBeUndefined();
    expect(Array.from(c.embedding(c.content(sha(2))!))).toEqual(Array.from(unit(0, 1)));
    expect(c.totalBytes).toBe(101 + 101 + 102);
    expect(paths(c)).toEqual(["a.png", "b.png", "copy-of-a.png"]);
    c.close();
  });

  it("keeps alt texts in the order they were given, without repeats, across reopening", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1, ["zebra", "apple", "zebra", "mango"]), asset("none.png", 1)]);
    expect(c.asset("a.png")?.altTexts).toEqual(["zebra", "apple", "mango"]);
    c.close();
    const reopened = open();
    expect(reopened.asset("a.png")?.altTexts).toEqual(["zebra", "apple", "mango"]);
    expect(reopened.asset("none.png")?.altTexts).toEqual([]);
    expect(reopened.asset("a.png")).toMatchObject({ size: 101, mtimeMs: 1_700_000_000_001 });
    reopened.close();
  });
});

describe("Collection.close", () => {
  it("closes its connection, and a second close is harmless", () => {
    const db = openDatabase(scratch.file());
    const c = new Collection("c", db, MODEL);
    c.close();
    expect(db.open).toBe(false);
    expect(() => c.close()).not.toThrow();
  });
});

describe("Collection.modelMismatch", () => {
  it("accepts only the same model name with the same dimension", () => {
    const c = open();
    expect(c.modelMismatch(MODEL)).toBeUndefined();
    expect(c.modelMismatch({ name: MODEL.name, embedDim: 4 })).toBe(
      "collection 'c' was indexed with model 'test-model' (D=8) but the daemon serves 'test-model' (D=4); sync it again to re-index",
    );
    expect(c.modelMismatch({ name: "other", embedDim: MODEL.embedDim })).toMatch(/serves 'other' \(D=8\)/);
    c.close();
  });
});

describe("Collection.resetForModel", () => {
  it("empties the collection, its file included, and takes vectors of the new model's dimension", async () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1, ["alt"])]);
    c.recordText(sha(1), { lines: [] }, "text");
    const other = { name: "other", embedDim: 2 };
    c.resetForModel(other);
    expect(c.assetCount).toBe(0);
    expect(c.contentCount).toBe(0);
    expect(c.hasContent(sha(1))).toBe(false);
    expect(c.modelStamp).toEqual(other);
    const db = new Database(scratch.file(), { readonly: true });
    for (const table of ["alt_texts", "assets", "content_texts", "contents"]) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
    db.close();

    c.addContent({ sha256: sha(2), size: 1, width: 1, height: 1, embedding: new Float32Array([0, 1]) }, [asset("b.png", 2)]);
    expect((await c.rank(new Float32Array([0, 1]), 1)).map((r) => r.asset.path)).toEqual(["b.png"]);
    c.close();
    const reopened = open(other);
    expect(reopened.modelStamp).toEqual(other);
    expect(paths(reopened)).toEqual(["b.png"]);
    reopened.close();
  });
});

describe("Collection.addContent", () => {
  it("refuses a vector of another dimension, naming both", () => {
    const c = open();
    expect(() => c.addContent(content(1, new Float32Array(3)), [asset("a.png", 1)])).toThrow(
      /^embedding has 3 dimensions, collection 'c' 8$/,
    );
    expect(c.contentCount).toBe(0);
    c.close();
  });

  it("adds a path to a content it already has without a second vector, and drops a content a path leaves", async () => {
    const c = open();
    c.addContent(content(1, unit(1, 0)), [asset("a.png", 1)]);
    c.addContent(content(1, unit(1, 0)), [asset("copy.png", 1)]);
    expect(c.contentCount).toBe(1);
    expect((await c.rank(unit(1, 0), 5)).map((r) => r.asset.path).sort()).toEqual(["a.png", "copy.png"]);
    // Both paths now hold other bytes: the first content has no path left.
    c.addContent(content(2, unit(0, 1)), [asset("a.png", 2), asset("copy.png", 2)]);
    expect(c.contentCount).toBe(1);
    expect(c.hasContent(sha(1))).toBe(false);
    expect((await c.rank(unit(1, 0), 5)).map((r) => `${r.asset.path} ${r.asset.content.sha256}`).sort()).toEqual([`a.png ${sha(2)}`, `copy.png ${sha(2)}`]);
    c.close();
    const reopened = open();
    expect(reopened.contentCount).toBe(1);
    expect(reopened.asset("copy.png")?.content.sha256).toBe(sha(2));
    reopened.close();
  });
});

describe("Collection.applyPaths", () => {
  it("refuses a path to a content the collection does not have, writing nothing", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1)]);
    expect(() => c.applyPaths([asset("a.png", 1), asset("b.png", 9)], ["a.png"])).toThrow(
      `content ${sha(9)} is not in collection 'c'`,
    );
    expect(paths(c)).toEqual(["a.png"]);
    c.close();
  });

  it("writes nothing, not even the time, when no path changes: alt texts compare as a set", async () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1, ["red", "round"])]);
    const stamped = c.updatedMs;
    await new Promise((resolve) => setTimeout(resolve, 5));
    c.applyPaths([asset("a.png", 1, ["round", "red", "red"])], ["never-indexed.png"]);
    expect(c.updatedMs).toBe(stamped);
    expect(c.asset("a.png")?.altTexts).toEqual(["red", "round"]);
    c.close();
  });

  it("stores each changed field of a path: size, modification time and alt texts", async () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("size.png", 1), asset("time.png", 1), asset("alt.png", 1, ["old", "kept"])]);
    const stamped = c.updatedMs;
    await new Promise((resolve) => setTimeout(resolve, 5));
    c.applyPaths([{ ...asset("size.png", 1), size: 7 }], []);
    expect(c.updatedMs).toBeGreaterThan(stamped);
    c.applyPaths([{ ...asset("time.png", 1), mtimeMs: 42 }], []);
    c.applyPaths([asset("alt.png", 1, ["new", "kept"])], []);
    for (const collection of [c, open()]) {
      expect(collection.asset("size.png")).toMatchObject({ size: 7, mtimeMs: 1_700_000_000_001 });
      expect(collection.asset("time.png")).toMatchObject({ size: 101, mtimeMs: 42 });
      expect(collection.asset("alt.png")?.altTexts).toEqual(["new", "kept"]);
      collection.close();
    }
  });

  it("stores a path moved to another content of the same size and time, and alt texts that only grow", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("moved.png", 1), asset("grown.png", 1, ["red"])]);
    c.addContent(content(2, unit(0, 1)), [asset("other.png", 2)]);
    c.applyPaths([{ ...asset("moved.png", 1), sha256: sha(2) }, asset("grown.png", 1, ["red", "round"])], []);
    for (const collection of [c, open()]) {
      expect(collection.asset("moved.png")?.content.sha256).toBe(sha(2));
      expect(collection.asset("grown.png")?.altTexts).toEqual(["red", "round"]);
      collection.close();
    }
  });

  it("keeps a content while another path still refers to it, and drops it with its last path", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1), asset("b.png", 1)]);
    c.addContent(content(2, unit(0, 1)), [asset("c.png", 2)]);
    c.applyPaths([], ["a.png"]);
    expect(c.hasContent(sha(1))).toBe(true);
    c.applyPaths([asset("b.png", 2)], []);
    expect(c.hasContent(sha(1))).toBe(false);
    expect(c.contentCount).toBe(1);
    c.close();
    const reopened = open();
    expect(reopened.contentCount).toBe(1);
    expect(paths(reopened)).toEqual(["b.png", "c.png"]);
    reopened.close();
  });
});

describe("a collection opened through a function", () => {
  // SQLite keeps a connection that was opened on read-only storage read-only after the storage recovers; a collection
  // given a way to open its database tries a failed write once more on a fresh connection.
  it("retries a write that failed on read-only storage once, on a fresh connection", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1)]);
    c.close();
    const opened: Database.Database[] = [];
    const connect = () => {
      const db = opened.length === 0 ? new Database(scratch.file(), { readonly: true }) : openDatabase(scratch.file());
      opened.push(db);
      return db;
    };
    const recovering = new Collection("c", connect, MODEL);
    recovering.applyPaths([asset("b.png", 1)], []);
    expect(opened).toHaveLength(2);
    expect(opened[0]!.open).toBe(false);
    expect(paths(recovering)).toEqual(["a.png", "b.png"]);
    recovering.close();
    const reopened = open();
    expect(paths(reopened)).toEqual(["a.png", "b.png"]);
    reopened.close();
  });

  it("reports the second failure when the storage stays read-only", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("a.png", 1)]);
    c.close();
    let opens = 0;
    const readonly = new Collection("docs", () => (opens++, new Database(scratch.file(), { readonly: true })), MODEL);
    expect(() => readonly.applyPaths([], ["a.png"])).toThrow(/^collection 'docs': its database is read-only/);
    expect(opens).toBe(2);
    expect(paths(readonly)).toEqual(["a.png"]);
    readonly.close();
  });

  it("does not retry a write that failed for another reason than the storage", () => {
    const c = open();
    c.addContent(content(1, unit(1)), [asset("first.png", 1)]);
    c.close();
    // Every connection caps the file at one page more than it has, which fails a large write with SQLITE_FULL as a full
    // disk does (see collection.test.ts).
    let opens = 0;
    const capped = () => {
      opens++;
      const db = openDatabase(scratch.file());
      db.pragma(`max_page_count = ${(db.pragma("page_count", { simple: true }) as number) + 1}`);
      return db;
    };
    const full = new Collection("photos", capped, MODEL);
    const many = Array.from({ length: 400 }, (_, i) => asset(`dir/${"long-name-".repeat(8)}${i}.png`, 1, [`alt text number ${i} `.repeat(10)]));
    expect(() => full.applyPaths(many, [])).toThrow(expect.objectContaining({ kind: "resource_exhausted" }));
    expect(opens).toBe(1);
    expect(full.assetCount).toBe(1);
    full.close();
  });
});
