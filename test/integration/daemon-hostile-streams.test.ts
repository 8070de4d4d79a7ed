// Clients that try to make the daemon hold memory, a collection lock or sockets without end: each is refused or cut
// off with a status naming the flag and the limit, and the daemon goes on serving the others. Real daemon, real sockets.
import net from "node:net";
import path from "node:path";
import { status, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import type { Llm2ClipClient, SyncAssetsRequest, SyncAssetsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages, healthStatus } from "../support/grpc-clients";
import { flatImage, svgUseBomb } from "../support/images";
import { manifestEntry, runSync } from "../support/sync-stream";

const MODEL = path.join(REPO_ROOT, "models/testing/random-tiny");
const STREAM_LIMIT = 1 << 20;
const GLOBAL_LIMIT = (3 << 20) / 2;
const IDLE_MS = 1_500;
/** Far below the SVG bomb's render time (minutes), far above a small PNG's preprocessing on a loaded machine. */
const DECODE_TIMEOUT_MS = 10_000;

let daemon: RunningDaemon;
let client: Llm2ClipClient;

beforeAll(async () => {
  daemon = await startDaemon([
    "--model", MODEL,
    "--max-stream-buffer-bytes", String(STREAM_LIMIT),
    "--max-buffer-bytes", String(GLOBAL_LIMIT),
    "--stream-idle-timeout-ms", String(IDLE_MS),
    "--handshake-timeout-ms", "500",
    "--max-connections", "48",
    "--decode-timeout-ms", String(DECODE_TIMEOUT_MS),
  ]);
  client = daemon.client();
});

afterAll(async () => {
  client?.close();
  await daemon?.stop();
});

const hash = (i: number) => i.toString(16).padStart(64, "0");

/** Opens a SyncAssets stream and resolves with its error once it fails; `onNeeded` runs when the daemon asks for bytes. */
function syncUntilError(
  messages: SyncAssetsRequest[],
  onNeeded?: (call: ClientDuplexStream<SyncAssetsRequest, SyncAssetsResponse>, needed: string[]) => void,
): Promise<ServiceError> {
  const call = client.syncAssets(daemon.metadata());
  return new Promise((resolve, reject) => {
    call.on("data", (response: SyncAssetsResponse) => {
      if (response.needed) onNeeded?.(call, response.needed.sha256);
    });
    call.on("error", resolve);
    call.on("end", () => reject(new Error("the stream ended without an error")));
    for (const message of messages) call.write(message);
  });
}

const manifest = (collection: string, entries: { path: string; sha256: string; size: number; altTexts?: string[] }[], more = false): SyncAssetsRequest => ({
  manifest: { collection, full: false, more, entries: entries.map((entry) => ({ mtimeMs: 1, altTexts: [], ...entry })) },
});

describe("byte budgets count everything a stream holds", () => {
  it("ends a SyncAssets whose unfinished files exceed --max-stream-buffer-bytes", async () => {
    const entries = Array.from({ length: 8 }, (_, i) => ({ path: `big-${i}.png`, sha256: hash(i + 1), size: 4 << 20 }));
    const error = await syncUntilError([manifest("partial-files", entries)], (call, needed) => {
      // 300 KB of each file, never marked last: a client that makes the daemon hold everything.
      for (const sha256 of needed) call.write({ chunk: { sha256, data: Buffer.alloc(300_000, 7), last: false } });
    });
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(new RegExp(`chunk\\.data: this stream would hold \\d+ bytes, over the limit of ${STREAM_LIMIT} \\(llm2clipd --max-stream-buffer-bytes\\)`));
  });

  it("counts manifest entries and their alt texts, across messages chained with more", async () => {
    const altTexts = Array.from({ length: 32 }, (_, i) => `${i} `.padEnd(2000, "x"));
    const messages = Array.from({ length: 4 }, (_, m) =>
      manifest("alt-heavy", Array.from({ length: 4 }, (_, i) => ({ path: `m${m}-${i}.png`, sha256: hash(100 + m * 4 + i), size: 10, altTexts })), true),
    );
    const error = await syncUntilError(messages);
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(new RegExp(`manifest\\.entries\\[\\d+\\]: this stream would hold \\d+ bytes, over the limit of ${STREAM_LIMIT}`));
  });

  it("counts the ids of EmbedImages' open images, so empty chunks without last cannot pile up", async () => {
    const requests = Array.from({ length: 20_000 }, (_, i) => ({ id: `image-${i}`, chunk: Buffer.alloc(0), last: false }));
    const error = (await embedImages(client, requests, daemon.metadata()).catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(new RegExp(`^id: this stream would hold \\d+ bytes, over the limit of ${STREAM_LIMIT}`));
  });

  it("shares --max-buffer-bytes among streams, with a retry hint, and frees a stream's share when it ends", async () => {
    const hold = client.embedImages(daemon.metadata());
    hold.on("error", () => undefined);
    hold.write({ id: "held", chunk: Buffer.alloc(900_000, 1), last: false });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const refused = (await embedImages(client, [{ id: "second", chunk: Buffer.alloc(900_000, 2), last: false }], daemon.metadata())) as {
      error?: { code: number; message: string };
    }[];
    expect(refused[0]!.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused[0]!.error?.message).toMatch(new RegExp(`over the limit of ${GLOBAL_LIMIT} \\(llm2clipd --max-buffer-bytes\\); retry later`));

    hold.cancel();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const png = await flatImage("red");
    const [answer] = await embedImages(client, [{ id: "after", chunk: png, last: true }], daemon.metadata());
    expect(answer!.error).toBeUndefined();
    expect(answer!.embedding?.values.length).toBeGreaterThan(0);
  });
});

describe("image decoding has a deadline", () => {
  it("stops an SVG bomb at --decode-timeout-ms with INVALID_ARGUMENT, while another stream's image is answered first", async () => {
    const good = await flatImage("teal");
    let bombSettled = false;
    const bomb = embedImages(client, [{ id: "bomb", chunk: svgUseBomb(), last: true }], daemon.metadata()).finally(() => (bombSettled = true));
    const [answer] = await embedImages(client, [{ id: "good", chunk: good, last: true }], daemon.metadata());
    expect(answer!.error).toBeUndefined();
    expect(answer!.embedding?.values.length).toBeGreaterThan(0);
    expect(bombSettled).toBe(false);

    const [refused] = await bomb;
    expect(refused!.error).toEqual({
      code: status.INVALID_ARGUMENT,
      message: `chunk: took more than the limit of ${DECODE_TIMEOUT_MS} ms (--decode-timeout-ms) to decode and preprocess, and was stopped`,
    });
    const [after] = await embedImages(client, [{ id: "after", chunk: await flatImage("navy"), last: true }], daemon.metadata());
    expect(after!.embedding?.values.length).toBeGreaterThan(0);
  }, 120_000);
});

describe("idle streams and connections", () => {
  it("ends a SyncAssets that stalls after its manifest, so the collection's lock is released", async () => {
    const started = Date.now();
    const error = await syncUntilError([manifest("stalled", [{ path: "a.png", sha256: hash(999), size: 100 }])]);
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(error.details).toMatch(new RegExp(`the client sent nothing for ${IDLE_MS} ms .*--stream-idle-timeout-ms`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 100);

    const deadline = new Date(Date.now() + 3_000);
    const deleted = await unary<{ deleted: boolean }>((done) => client.deleteCollection({ name: "stalled" }, daemon.metadata(), { deadline }, done));
    expect(deleted.deleted).toBe(true);
  });

  it("drops sockets that never speak HTTP/2 and refuses those beyond --max-connections, and still serves", async () => {
    const sockets = Array.from({ length: 80 }, () => net.connect(daemon.port, "127.0.0.1"));
    const closed = await Promise.all(
      sockets.map((socket) => new Promise<number>((resolve) => {
        const opened = Date.now();
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(Date.now() - opened));
      })),
    );
    expect(closed.every((ms) => ms < 5_000)).toBe(true);
    expect(await healthStatus(daemon.address)).toBe("SERVING");
  });
});

describe("manifest checks", () => {
  it("fails a path whose stored content has another size than the manifest declares, instead of recording the wrong size", async () => {
    const image = { path: "first.png", bytes: await flatImage("purple") };
    expect((await runSync(client, daemon.metadata(), { collection: "sizes", images: [image] })).summary).toMatchObject({ added: 1 });
    const lying = { ...manifestEntry({ ...image, path: "copy.png" }), size: image.bytes.length + 1000 };
    const result = await runSync(client, daemon.metadata(), { collection: "sizes", images: [image], entries: [lying] });
    expect(result.summary).toMatchObject({ failed: 1, added: 0, totalAssets: 1 });
    const failed = result.progress.find((p) => p.currentPath === "copy.png")!;
    expect(failed.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(failed.error?.message).toBe(`manifest.entries[0].size: declares ${image.bytes.length + 1000} bytes, but the stored content with this sha256 has ${image.bytes.length}`);
  });
});
