import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { TEXT_CACHE_FILE, TextFeatureCache } from "../../src/model/text-feature-cache";

const scratch = mkdtempSync(path.join(tmpdir(), "llm2clip-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const entry = (seed: number) => ({ features: Float32Array.from({ length: 6 }, (_, i) => seed + i / 8), truncated: seed % 2 === 1, tokenCount: 10 + seed });

describe("TextFeatureCache", () => {
  it("keeps at most memoryEntries captions in memory, evicting the least recently used", () => {
    const cache = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 2 });
    cache.set("one", entry(1));
    cache.set("two", entry(2));
    expect(cache.get("one")?.tokenCount).toBe(11); // "one" is now the most recent
    cache.set("three", entry(3));
    expect(cache.get("two")).toBeUndefined();
    expect(cache.get("one")?.tokenCount).toBe(11);
    expect(cache.get("three")?.tokenCount).toBe(13);
    cache.close();
  });

  it("persists to a WAL-mode SQLite file and reads it back after reopening, per model fingerprint", () => {
    const dir = path.join(scratch, "persist");
    const first = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 1, dir });
    first.set("a red circle", entry(3));
    first.set("a blue square", entry(4));
    // Evicted from memory, still on disk.
    const fromDisk = first.get("a red circle");
    expect(Array.from(fromDisk!.features)).toEqual(Array.from(entry(3).features));
    first.close();

    const file = path.join(dir, TEXT_CACHE_FILE);
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT count(*) AS n FROM text_features").get()).toEqual({ n: 2 });
    db.close();

    const reopened = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir });
    expect(reopened.get("a blue square")).toEqual({ features: entry(4).features, truncated: false, tokenCount: 14 });
    expect(reopened.get("a red circle")).toEqual({ features: entry(3).features, truncated: true, tokenCount: 13 });
    reopened.close();

    const otherModel = new TextFeatureCache({ fingerprint: "model-b", memoryEntries: 10, dir });
    expect(otherModel.get("a red circle")).toBeUndefined();
    otherModel.close();
  });

  it("creates its folder, parents included", () => {
    const dir = path.join(scratch, "not", "yet", "there");
    const cache = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir });
    cache.set("a red circle", entry(3));
    cache.close();
    expect(existsSync(path.join(dir, TEXT_CACHE_FILE))).toBe(true);
  });

  it("refreshes a caption's place when it is set again, so a rewrite is not the next eviction", () => {
    const cache = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 2 });
    cache.set("one", entry(1));
    cache.set("two", entry(2));
    cache.set("one", entry(5));
    cache.set("three", entry(3));
    expect(cache.get("one")?.tokenCount).toBe(15);
    expect(cache.get("two")).toBeUndefined();
    cache.close();
  });

  it("keys by fingerprint and caption apart, so their concatenation cannot collide", () => {
    const dir = path.join(scratch, "keys");
    const ab = new TextFeatureCache({ fingerprint: "ab", memoryEntries: 10, dir });
    ab.set("c", entry(1));
    ab.close();
    const a = new TextFeatureCache({ fingerprint: "a", memoryEntries: 10, dir });
    expect(a.get("bc")).toBeUndefined();
    a.close();
  });

  it("still answers from memory when the disk write fails, and counts the failures", () => {
    const dir = path.join(scratch, "failing");
    const failures: [string, number][] = [];
    const cache = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir, onWriteError: (error, n) => failures.push([error.message, n]) });
    // Another process makes every write fail, as a full disk would.
    const other = new Database(path.join(dir, TEXT_CACHE_FILE));
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON text_features BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END");
    cache.set("one", entry(1));
    cache.set("two", entry(2));
    expect(failures).toEqual([["database or disk is full", 1], ["database or disk is full", 2]]);
    expect(cache.get("one")?.tokenCount).toBe(11);
    expect(other.prepare("SELECT count(*) AS n FROM text_features").get()).toEqual({ n: 0 });
    const unwatched = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir });
    expect(() => unwatched.set("three", entry(3))).not.toThrow();
    expect(unwatched.get("three")?.tokenCount).toBe(13);
    unwatched.close();
    other.close();
    cache.close();
  });

  it("keeps a caption read from disk in memory", () => {
    const dir = path.join(scratch, "warm");
    const writer = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir });
    writer.set("a red circle", entry(3));
    writer.close();
    const reader = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir });
    expect(reader.get("a red circle")?.tokenCount).toBe(13);
    const other = new Database(path.join(dir, TEXT_CACHE_FILE));
    other.exec("DELETE FROM text_features");
    other.close();
    expect(reader.get("a red circle")?.tokenCount).toBe(13);
    reader.close();
  });

  it("does not swallow a failure that is not the database's", () => {
    const cache = new TextFeatureCache({ fingerprint: "model-a", memoryEntries: 10, dir: path.join(scratch, "closed"), onWriteError: () => {} });
    cache.close();
    expect(() => cache.set("one", entry(1))).toThrow(TypeError);
  });
});
