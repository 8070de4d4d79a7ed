// A full disk and a read-only file system under a running llm2clipd. Both are real: the daemon's data directory is a
// small tmpfs, filled up or remounted read-only. Mounting needs root with CAP_SYS_ADMIN; where that is missing the tests
// are skipped and say so (the store's unit tests cover the same errors through SQLite's own page limit and a read-only open).
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import type { EmbedTextsResponse, ListCollectionsResponse, ScoreCaptionsResponse, SearchAssetsResponse } from "@llm2clip/proto";
import { afterEach, describe, expect, it } from "vitest";
import { failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { circleSvg } from "../support/images";
import { manifestEntry, runSync, type WorkspaceImage } from "../support/sync-stream";

function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

const probe = mkdtempSync(path.join(os.tmpdir(), "mount-probe-"));
const canMount = tryMount(probe, "64k");
if (canMount) execFileSync("umount", [probe]);
rmSync(probe, { recursive: true, force: true });
if (!canMount) console.warn("assets-faults: skipped, this process cannot mount a tmpfs (needs root with CAP_SYS_ADMIN)");

const images: WorkspaceImage[] = ["red", "green", "blue", "yellow"].map((colour) => ({ path: `${colour}.svg`, bytes: circleSvg(colour) }));

let daemon: RunningDaemon | undefined;
let mounted: string | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  if (mounted) {
    execFileSync("umount", [mounted]);
    rmSync(mounted, { recursive: true, force: true });
    mounted = undefined;
  }
});

async function daemonOnTmpfs(size: string): Promise<RunningDaemon> {
  mounted = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-tmpfs-"));
  expect(tryMount(mounted, size)).toBe(true);
  daemon = await startDaemon(["--data-dir", mounted]);
  return daemon;
}

/** Writes a filler file until the file system has not a byte left. */
function fillDisk(dir: string): void {
  const fd = openSync(path.join(dir, "filler"), "w");
  try {
    for (const blockSize of [1 << 16, 1 << 12, 1 << 9, 1]) {
      const block = Buffer.alloc(blockSize, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

const countOf = async (d: RunningDaemon, name: string) =>
  (await unary<ListCollectionsResponse>((done) => d.client().listCollections({}, done))).collections.find((c) => c.name === name)?.assetCount;

describe.skipIf(!canMount)("storage faults", () => {
  it("a full disk gives RESOURCE_EXHAUSTED naming the collection, writes nothing of the failed sync, and the daemon keeps serving", async () => {
    const d = await daemonOnTmpfs("3m");
    const first = await runSync(d.client(), d.metadata(), { collection: "full", images });
    expect(first.summary).toMatchObject({ added: 4, totalAssets: 4 });

    // 200 more paths to known contents, each with 30 long alt texts: about 10 MB of rows, in one transaction.
    const alt = (i: number, j: number) => `${i}-${j} `.padEnd(1900, "x");
    const entries = Array.from({ length: 200 }, (_, i) => ({
      ...manifestEntry(images[i % images.length]!),
      path: `copies/${i}.svg`,
      altTexts: Array.from({ length: 30 }, (_, j) => alt(i, j)),
    }));
    const overflow = await runSync(d.client(), d.metadata(), { collection: "full", images, entries, manifestBatch: 20 });
    expect(overflow.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(overflow.error?.details).toMatch(/collection 'full': the disk holding its database is full \(SQLITE_FULL\)/);
    expect(overflow.needed).toBeUndefined();

    expect(await countOf(d, "full")).toBe(4);
    const hits = await unary<SearchAssetsResponse>((done) =>
      d.client().searchAssets({ collection: "full", terms: [], expression: "red.svg", topK: 10, includeGlobs: [], excludeGlobs: [] }, done),
    );
    expect(hits.hits.map((h) => h.path).sort()).toEqual(images.map((i) => i.path).sort());
  });

  it("a full disk fails no read: EmbedTexts, ScoreCaptions and SearchAssets with new text still answer", async () => {
    const d = await daemonOnTmpfs("3m");
    await runSync(d.client(), d.metadata(), { collection: "reads", images });
    fillDisk(mounted!);

    const texts = Array.from({ length: 200 }, (_, i) => `a never seen caption number ${i} about a ${i % 2 ? "red" : "blue"} circle`);
    const embedded = await unary<EmbedTextsResponse>((done) => d.client().embedTexts({ texts, includeFeatures: false }, done));
    expect(embedded.results).toHaveLength(200);
    expect(embedded.results.every((r) => r.cached === false && (r.embedding?.values.length ?? 0) > 0)).toBe(true);
    await d.waitForLog(/text-feature cache: cannot write to .* \(1 failed writes so far; answers are unaffected\): .*(full|disk)/i);

    const scores = await unary<ScoreCaptionsResponse>((done) =>
      d.client().scoreCaptions({ image: { data: circleSvg("red") }, captions: ["yet another new caption", "and one more"] }, done),
    );
    expect(scores.scores).toHaveLength(2);
    const hits = await unary<SearchAssetsResponse>((done) =>
      d.client().searchAssets({ collection: "reads", terms: [{ weight: 1, text: "a fresh query never cached" }], expression: "", topK: 2, includeGlobs: [], excludeGlobs: [] }, done),
    );
    expect(hits.hits).toHaveLength(2);
    // The features are still kept in memory: asked again, they are a cache hit.
    const again = await unary<EmbedTextsResponse>((done) => d.client().embedTexts({ texts: texts.slice(0, 3), includeFeatures: false }, done));
    expect(again.results.map((r) => r.cached)).toEqual([true, true, true]);
  });

  it("a create that fails on a full disk leaves no file behind, and ListCollections survives a damaged file", async () => {
    const d = await daemonOnTmpfs("3m");
    await runSync(d.client(), d.metadata(), { collection: "kept", images });
    const collections = path.join(mounted!, "collections");
    writeFileSync(path.join(collections, "damaged.sqlite"), "this is not a SQLite database, it is long enough to be read as one ".repeat(20));
    fillDisk(mounted!);

    const refused = await runSync(d.client(), d.metadata(), { collection: "born-full", images });
    expect([status.RESOURCE_EXHAUSTED, status.FAILED_PRECONDITION]).toContain(refused.error?.code);
    expect(refused.error?.details).toMatch(/^collection 'born-full': /);
    expect(existsSync(path.join(collections, "born-full.sqlite"))).toBe(false);

    const listed = await unary<ListCollectionsResponse>((done) => d.client().listCollections({}, done));
    expect(listed.collections.map((c) => [c.name, c.assetCount])).toEqual([["kept", 4]]);
  });

  it("a read-only file system gives FAILED_PRECONDITION naming the collection, and syncing works again once writable", async () => {
    // Linux refuses to remount read-only while a file is open for writing, so the collection is made, the daemon
    // stopped, the file system remounted read-only, and a second daemon started on it.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-ro-"));
    mounted = path.join(dataDir, "collections");
    execFileSync("mkdir", [mounted]);
    expect(tryMount(mounted, "16m")).toBe(true);
    const first = await startDaemon(["--data-dir", dataDir]);
    await runSync(first.client(), first.metadata(), { collection: "ro", images: images.slice(0, 2) });
    await first.stop();
    execFileSync("mount", ["-o", "remount,ro", mounted]);

    const d = (daemon = await startDaemon(["--data-dir", dataDir]));
    const refused = await runSync(d.client(), d.metadata(), { collection: "ro", images });
    expect(refused.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.error?.details).toMatch(/^collection 'ro': its database (is read-only|cannot be written)/);
    expect(await countOf(d, "ro")).toBe(2);
    const undeletable = await failure(unary((done) => d.client().deleteCollection({ name: "ro" }, done)));
    expect(undeletable.code).toBe(status.FAILED_PRECONDITION);
    expect(undeletable.details).toMatch(/^collection 'ro': its database cannot be deleted \(EROFS\); the collections folder may be read-only$/);

    execFileSync("mount", ["-o", "remount,rw", mounted]);
    const again = await runSync(d.client(), d.metadata(), { collection: "ro", images });
    expect(again.error).toBeUndefined();
    expect(again.summary).toMatchObject({ added: 2, totalAssets: 4 });
  });
});
