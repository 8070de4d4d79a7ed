// SyncAssets against a real llm2clipd (bundle, child process, ONNX model, SQLite on disk) through a real gRPC client.
import { status } from "@grpc/grpc-js";
import type { ListCollectionsResponse, SearchAssetsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { circleSvg, flatImage } from "../support/images";
import { manifestEntry, runSync, sha256, type WorkspaceImage } from "../support/sync-stream";

let daemon: RunningDaemon;
let images: WorkspaceImage[];

beforeAll(async () => {
  daemon = await startDaemon();
  const colours = ["red", "green", "blue", "yellow", "purple", "orange"];
  images = [
    ...colours.map((colour) => ({ path: `shapes/${colour}-circle.svg`, bytes: circleSvg(colour) })),
    ...(await Promise.all(colours.slice(0, 3).map(async (colour) => ({ path: `flat/${colour}.png`, bytes: await flatImage(colour) })))),
  ];
  // The same bytes under a second path: embedded once.
  images.push({ path: "copies/red-circle.svg", bytes: images[0]!.bytes, altTexts: ["a red circle"] });
});

afterAll(async () => {
  await daemon?.stop();
});

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 1]! ^= 0xff;
  return copy;
}

const search = (collection: string, expression: string, topK = 100) =>
  unary<SearchAssetsResponse>((done) =>
    daemon.client().searchAssets({ collection, terms: [], expression, topK, includeGlobs: [], excludeGlobs: [] }, done),
  );

describe("SyncAssets", () => {
  it("asks only for the distinct contents it lacks, reports each file, then a summary", async () => {
    const result = await runSync(daemon.client(), daemon.metadata(), { collection: "first", images, full: true, chunkBytes: 100, manifestBatch: 4 });
    expect(result.error).toBeUndefined();
    const distinct = new Set(images.map((image) => sha256(image.bytes)));
    expect(new Set(result.needed!.sha256)).toEqual(distinct);
    expect(result.needed!.sha256).toHaveLength(distinct.size);
    expect(result.needed!.bytesTotal).toBe([...distinct].reduce((sum, sha) => sum + images.find((i) => sha256(i.bytes) === sha)!.bytes.length, 0));
    const perFile = result.progress.filter((p) => p.currentPath !== "");
    expect(new Set(perFile.map((p) => p.currentPath))).toEqual(new Set(images.map((image) => image.path)));
    expect(result.progress.every((p) => p.total === images.length && !p.error)).toBe(true);
    expect(result.progress.at(-1)).toMatchObject({ done: images.length, bytesDone: result.needed!.bytesTotal });
    expect(result.summary).toEqual({
      added: images.length,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 0,
      embedded: distinct.size,
      bytesReceived: result.needed!.bytesTotal,
      totalAssets: images.length,
      // OCR is off by default: nothing is queued for it.
      textQueued: 0,
    });
    const hits = await search("first", "shapes/red-circle.svg", 3);
    expect(hits.hits.slice(0, 2).map((hit) => hit.path).sort()).toEqual(["copies/red-circle.svg", "shapes/red-circle.svg"]);
    expect(hits.hits[0]!.score).toBeCloseTo(1, 4);
    expect(hits.hits[0]).toMatchObject({ width: 64, height: 64, size: images[0]!.bytes.length, sha256: sha256(images[0]!.bytes) });
  });

  it("re-syncs an unchanged set without bytes or encoder runs; a rename re-embeds nothing; a deletion removes the asset", async () => {
    await runSync(daemon.client(), daemon.metadata(), { collection: "resync", images, full: true });
    const again = await runSync(daemon.client(), daemon.metadata(), { collection: "resync", images, full: true });
    expect(again.needed).toEqual({ sha256: [], bytesTotal: 0 });
    expect(again.summary).toMatchObject({ unchanged: images.length, added: 0, embedded: 0, bytesReceived: 0, totalAssets: images.length });
    expect(again.progress.map((p) => p.currentPath).sort()).toEqual(images.map((image) => image.path).sort());

    const renamed = images.map((image) => (image.path === "flat/green.png" ? { ...image, path: "flat/renamed-green.png" } : image));
    const rename = await runSync(daemon.client(), daemon.metadata(), { collection: "resync", images: renamed, full: true });
    expect(rename.needed!.sha256).toEqual([]);
    expect(rename.summary).toMatchObject({ added: 1, deleted: 1, embedded: 0, bytesReceived: 0, totalAssets: images.length });

    const withoutBlue = renamed.filter((image) => image.path !== "flat/blue.png");
    const deletion = await runSync(daemon.client(), daemon.metadata(), { collection: "resync", images: withoutBlue, full: true });
    expect(deletion.summary).toMatchObject({ deleted: 1, embedded: 0, totalAssets: images.length - 1 });
    const paths = (await search("resync", "a circle")).hits.map((hit) => hit.path);
    expect(paths).toHaveLength(images.length - 1);
    expect(paths).toContain("flat/renamed-green.png");
    expect(paths).not.toContain("flat/green.png");
    expect(paths).not.toContain("flat/blue.png");
  });

  it("a partial (non-full) manifest adds without deleting", async () => {
    await runSync(daemon.client(), daemon.metadata(), { collection: "partial", images: images.slice(0, 3), full: true });
    const more = await runSync(daemon.client(), daemon.metadata(), { collection: "partial", images: images.slice(3, 5), full: false });
    expect(more.summary).toMatchObject({ added: 2, deleted: 0, totalAssets: 5 });
  });

  it("reports bytes that don't hash to the manifest's sha256 as a per-file INVALID_ARGUMENT, and goes on", async () => {
    const result = await runSync(daemon.client(), daemon.metadata(), {
      collection: "mismatch",
      images: images.slice(0, 3),
      bytesFor: (sha) => (sha === sha256(images[1]!.bytes) ? flipLastByte(images[1]!.bytes) : undefined),
    });
    expect(result.error).toBeUndefined();
    const failed = result.progress.filter((p) => p.error);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.currentPath).toBe(images[1]!.path);
    expect(failed[0]!.error!.code).toBe(status.INVALID_ARGUMENT);
    expect(failed[0]!.error!.message).toMatch(/^manifest\.entries\[1\]\.sha256: .*hash to sha256 [0-9a-f]{64}, not [0-9a-f]{64}/);
    expect(result.summary).toMatchObject({ added: 2, failed: 1, totalAssets: 2 });
    const retry = await runSync(daemon.client(), daemon.metadata(), { collection: "mismatch", images: images.slice(0, 3) });
    expect(retry.needed!.sha256).toEqual([sha256(images[1]!.bytes)]);
    expect(retry.summary).toMatchObject({ added: 1, failed: 0, totalAssets: 3 });
  });

  it("sends the summary once every needed file is settled, even while the client keeps its side open", async () => {
    const summary = await new Promise<unknown>((resolve, reject) => {
      const call = daemon.client().syncAssets(daemon.metadata());
      call.on("data", (response: { needed?: { sha256: string[] }; summary?: unknown }) => {
        if (response.needed) {
          for (const sha of response.needed.sha256) call.write({ chunk: { sha256: sha, data: flipLastByte(images[0]!.bytes), last: true } });
        }
        if (response.summary) resolve(response.summary);
      });
      call.on("error", reject);
      call.write({ manifest: { collection: "open-ended", full: false, entries: [manifestEntry(images[0]!)], more: false } });
    });
    expect(summary).toMatchObject({ failed: 1, totalAssets: 0 });
  });

  it("reports an undecodable image as a per-file error without aborting the others", async () => {
    const broken = { path: "broken.png", bytes: Buffer.from("this is not an image at all") };
    const result = await runSync(daemon.client(), daemon.metadata(), { collection: "broken", images: [images[0]!, broken, images[2]!] });
    expect(result.error).toBeUndefined();
    const failed = result.progress.filter((p) => p.error);
    expect(failed.map((p) => p.currentPath)).toEqual(["broken.png"]);
    expect(failed[0]!.error!.code).toBe(status.INVALID_ARGUMENT);
    expect(result.summary).toMatchObject({ added: 2, failed: 1, totalAssets: 2 });
  });

  it.each([
    ["../outside.png", /escapes the collection root/],
    ["/etc/passwd", /absolute/],
    ["dir\\file.png", /backslash/],
    ["a\0b.png", /NUL/],
  ])("rejects the path %j with INVALID_ARGUMENT naming manifest.entries[i].path, and keeps serving", async (path, reason) => {
    const entries = [manifestEntry(images[0]!), { ...manifestEntry(images[1]!), path }];
    const collection = `escape-${reason.source.replace(/[^a-z]/g, "")}`;
    const result = await runSync(daemon.client(), daemon.metadata(), { collection, images: images.slice(0, 2), entries });
    expect(result.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(result.error?.details).toMatch(/^manifest\.entries\[1\]\.path: /);
    expect(result.error?.details).toMatch(reason);
    expect(result.needed).toBeUndefined();
    const ok = await runSync(daemon.client(), daemon.metadata(), { collection, images: images.slice(0, 2) });
    expect(ok.summary).toMatchObject({ added: 2, totalAssets: 2 });
  });

  it("fails a file over the size limit at once, naming manifest.entries[i].size and the limit", async () => {
    const huge = { ...manifestEntry(images[1]!), size: 40 * 1024 * 1024 };
    const result = await runSync(daemon.client(), daemon.metadata(), { collection: "huge", images: images.slice(0, 2), entries: [manifestEntry(images[0]!), huge] });
    expect(result.needed!.sha256).toEqual([sha256(images[0]!.bytes)]);
    const failed = result.progress.find((p) => p.error)!;
    expect(failed.currentPath).toBe(images[1]!.path);
    expect(failed.error).toEqual({ code: status.OUT_OF_RANGE, message: `manifest.entries[1].size: ${40 * 1024 * 1024} bytes is over the limit of ${32 * 1024 * 1024}` });
    expect(result.summary).toMatchObject({ added: 1, failed: 1, totalAssets: 1 });
  });

  it("rejects a chunk of a hash it did not ask for with INVALID_ARGUMENT naming chunk.sha256", async () => {
    const error = await new Promise<{ code?: number; details?: string }>((resolve) => {
      const call = daemon.client().syncAssets(daemon.metadata());
      call.on("data", () => undefined);
      call.on("error", resolve);
      call.write({ manifest: { collection: "unasked", full: false, entries: [manifestEntry(images[0]!)], more: false } });
      call.write({ chunk: { sha256: "f".repeat(64), data: Buffer.from("x"), last: true } });
    });
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^chunk\.sha256: "f{64}" is not among the hashes the daemon asked for/);
    const ok = await runSync(daemon.client(), daemon.metadata(), { collection: "unasked", images: images.slice(0, 1) });
    expect(ok.summary).toMatchObject({ totalAssets: 1, failed: 0 });
  });

  it("rejects a malformed sha256 and a bad collection name, naming the field", async () => {
    const badSha = await runSync(daemon.client(), daemon.metadata(), {
      collection: "badsha",
      images: images.slice(0, 1),
      entries: [{ ...manifestEntry(images[0]!), sha256: "ABC" }],
    });
    expect(badSha.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badSha.error?.details).toMatch(/^manifest\.entries\[0\]\.sha256: .*64 characters/);
    const badName = await runSync(daemon.client(), daemon.metadata(), { collection: "../evil", images: images.slice(0, 1) });
    expect(badName.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badName.error?.details).toMatch(/^manifest\.collection: /);
  });

  it("after a dropped connection, a re-sync asks only for what was not acknowledged", async () => {
    let seen = 0;
    const dropped = await runSync(daemon.client(), daemon.metadata(), {
      collection: "dropped",
      images,
      onProgress: (p) => p.currentPath !== "" && ++seen === 3,
    });
    expect(dropped.summary).toBeUndefined();
    expect(dropped.acknowledged.size).toBeGreaterThanOrEqual(2);
    const resync = await runSync(daemon.client(), daemon.metadata(), { collection: "dropped", images });
    const needed = new Set(resync.needed!.sha256);
    for (const sha of dropped.acknowledged) expect(needed.has(sha)).toBe(false);
    expect(resync.summary).toMatchObject({ failed: 0, totalAssets: images.length });
  });
});

describe("ListCollections and DeleteCollection", () => {
  it("lists collections with counts and deletes one", async () => {
    await runSync(daemon.client(), daemon.metadata(), { collection: "listed", images: images.slice(0, 4) });
    const listed = await unary<ListCollectionsResponse>((done) => daemon.client().listCollections({}, done));
    const entry = listed.collections.find((c) => c.name === "listed");
    expect(entry).toMatchObject({ assetCount: 4, totalBytes: images.slice(0, 4).reduce((sum, i) => sum + i.bytes.length, 0) });
    expect(entry!.model).not.toBe("");
    expect(entry!.updatedMs).toBeGreaterThan(Date.now() - 600_000);
    const deleted = await unary<{ deleted: boolean }>((done) => daemon.client().deleteCollection({ name: "listed" }, done));
    expect(deleted.deleted).toBe(true);
    const again = await unary<{ deleted: boolean }>((done) => daemon.client().deleteCollection({ name: "listed" }, done));
    expect(again.deleted).toBe(false);
    const error = await failure(search("listed", "red"));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toMatch(/^collection: collection 'listed' does not exist/);
  });

  it("rejects a bad collection name with INVALID_ARGUMENT naming the field and the limit", async () => {
    const error = await failure(unary((done) => daemon.client().deleteCollection({ name: "x".repeat(65) }, done)));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^name: collection name is 65 characters, the limit is 64/);
    const listed = await unary<ListCollectionsResponse>((done) => daemon.client().listCollections({}, done));
    expect(listed.collections.length).toBeGreaterThan(0);
  });
});
