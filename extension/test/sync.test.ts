// The extension's SyncAssets client against a real daemon (the random-weight test model): manifests, content upload,
// progress, summaries, deletion on a full sync, and cancellation.
import { status, type ServiceError } from "@grpc/grpc-js";
import type { Llm2ClipClient, SearchAssetsResponse, SyncProgress } from "@llm2clip/proto";
import { createHash } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../../test/support/daemon";
import { circleSvg, flatImage } from "../../test/support/images";
import { syncAssets, type SyncFile } from "@llm2clip/client";

const MODEL = path.join(REPO_ROOT, "models", "testing", "random-tiny");

function file(filePath: string, bytes: Buffer, altTexts: string[] = []): SyncFile {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { entry: { path: filePath, sha256, size: bytes.length, mtimeMs: 1_700_000_000_000, altTexts }, read: async () => bytes };
}

describe("syncAssets against llm2clipd", () => {
  let daemon: RunningDaemon;
  let client: Llm2ClipClient;
  let files: SyncFile[];

  beforeAll(async () => {
    daemon = await startDaemon(["--model", MODEL, "--device", "cpu"]);
    client = daemon.client();
    files = [
      file("img/red.png", await flatImage("#ff0000")),
      file("img/blue.jpg", await flatImage("#0000ff", 48, 40, "jpeg")),
      file("docs/circle.svg", circleSvg("green"), ["a green circle"]),
    ];
  });

  afterAll(async () => {
    client?.close();
    await daemon?.stop();
  });

  it("uploads what the daemon lacks and reports progress and a summary", async () => {
    const progress: SyncProgress[] = [];
    const needed: number[] = [];
    const summary = await syncAssets(client, daemon.metadata(), {
      collection: "sync-client",
      files,
      full: true,
      onNeeded: (count) => needed.push(count),
      onProgress: (p) => progress.push(p),
    });
    expect(needed).toEqual([3]);
    expect(summary).toMatchObject({ added: 3, updated: 0, deleted: 0, failed: 0, embedded: 3, totalAssets: 3 });
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3 });

    const search = await unary<SearchAssetsResponse>((done) =>
      client.searchAssets({ collection: "sync-client", terms: [{ weight: 1, text: "a red square" }], expression: "", topK: 10, includeGlobs: [], excludeGlobs: [] }, daemon.metadata(), done),
    );
    expect(search.hits.map((hit) => hit.path).sort()).toEqual(["docs/circle.svg", "img/blue.jpg", "img/red.png"]);
  });

  it("sends nothing again for unchanged files, and a full sync deletes what the manifest leaves out", async () => {
    const needed: number[] = [];
    const again = await syncAssets(client, daemon.metadata(), { collection: "sync-client", files, full: true, onNeeded: (count) => needed.push(count) });
    expect(again).toMatchObject({ added: 0, unchanged: 3, embedded: 0, totalAssets: 3 });
    expect(needed.every((count) => count === 0)).toBe(true);

    const fewer = await syncAssets(client, daemon.metadata(), { collection: "sync-client", files: files.slice(0, 2), full: true });
    expect(fewer).toMatchObject({ deleted: 1, unchanged: 2, totalAssets: 2 });
  });

  it("rejects with CANCELLED when aborted", async () => {
    const abort = new AbortController();
    abort.abort();
    const error = (await syncAssets(client, daemon.metadata(), { collection: "sync-cancelled", files, full: true, signal: abort.signal }).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.CANCELLED);
  });
});
