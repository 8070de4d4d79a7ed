// kill -9 of llm2clipd in the middle of a sync, then a restart on the same data directory and a re-sync.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ListCollectionsResponse, SearchAssetsResponse } from "@llm2clip/proto";
import { afterAll, describe, expect, it } from "vitest";
import { startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { circleSvg } from "../support/images";
import { runSync, sha256, type WorkspaceImage } from "../support/sync-stream";

const COLOURS = ["red", "green", "blue", "yellow", "purple", "orange", "pink", "brown", "black", "gray"];
const images: WorkspaceImage[] = Array.from({ length: 40 }, (_, i) => ({
  path: `img/${i}.svg`,
  bytes: circleSvg(COLOURS[i % COLOURS.length]!, 48 + 4 * Math.floor(i / COLOURS.length)),
}));
const dataDir = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-crash-"));
let daemon: RunningDaemon | undefined;

afterAll(async () => {
  await daemon?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("kill -9 during SyncAssets", () => {
  it("loses nothing acknowledged, and a re-sync sends only what was not acknowledged, leaving no duplicates", async () => {
    daemon = await startDaemon(["--data-dir", dataDir]);
    const killed = daemon;
    let acknowledged = 0;
    const partial = await runSync(killed.client(), killed.metadata(), {
      collection: "crash",
      images,
      chunkBytes: 64,
      onProgress: (progress) => {
        if (progress.currentPath === "" || progress.error) return false;
        if (++acknowledged < 12) return false;
        killed.process.kill("SIGKILL");
        return true;
      },
    });
    expect((await killed.exited).signal).toBe("SIGKILL");
    expect(partial.summary).toBeUndefined();
    expect(partial.acknowledged.size).toBeGreaterThanOrEqual(12);

    daemon = await startDaemon(["--data-dir", dataDir]);
    const client = daemon.client();
    const before = await unary<ListCollectionsResponse>((done) => client.listCollections({}, done));
    expect(before.collections.find((c) => c.name === "crash")!.assetCount).toBeGreaterThanOrEqual(partial.acknowledged.size);
    for (const image of images.filter((i) => partial.acknowledged.has(sha256(i.bytes)))) {
      const found = await unary<SearchAssetsResponse>((done) =>
        client.searchAssets({ collection: "crash", terms: [], expression: `"${image.path}"`, topK: 1, includeGlobs: [], excludeGlobs: [] }, done),
      );
      expect(found.hits[0]!.score).toBeCloseTo(1, 4);
    }

    const resync = await runSync(client, daemon.metadata(), { collection: "crash", images });
    expect(resync.error).toBeUndefined();
    const needed = new Set(resync.needed!.sha256);
    for (const sha of partial.acknowledged) expect(needed.has(sha)).toBe(false);
    expect(needed.size).toBeLessThanOrEqual(images.length - partial.acknowledged.size);
    expect(resync.summary).toMatchObject({ failed: 0, totalAssets: images.length, embedded: needed.size });
    await daemon.stop();
    daemon = undefined;

    const db = new Database(path.join(dataDir, "collections", "crash.sqlite"), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.prepare("SELECT count(*) AS n, count(DISTINCT path) AS paths FROM assets").get()).toEqual({ n: images.length, paths: images.length });
      expect(db.prepare("SELECT count(*) AS n FROM contents").get()).toEqual({ n: new Set(images.map((i) => sha256(i.bytes))).size });
      expect(db.prepare("SELECT count(*) AS n FROM assets WHERE sha256 NOT IN (SELECT sha256 FROM contents)").get()).toEqual({ n: 0 });
      const rows = db.prepare("SELECT path, sha256 FROM assets").all() as { path: string; sha256: string }[];
      expect(new Map(rows.map((r) => [r.path, r.sha256]))).toEqual(new Map(images.map((i) => [i.path, sha256(i.bytes)])));
    } finally {
      db.close();
    }
  });
});
