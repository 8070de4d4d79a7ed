// Bounded queues through a real llm2clipd: when a graph's queue is full the daemon answers RESOURCE_EXHAUSTED with a
// retry hint instead of growing without limit, and serves again once the burst has passed.
import { status } from "@grpc/grpc-js";
import type { EmbedTextsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RETRY_AFTER_MS_KEY } from "../../server/src/grpc/errors";
import { failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { flatImage } from "../support/images";
import { runSync } from "../support/sync-stream";

const MAX_QUEUE = 2;
let daemon: RunningDaemon;

beforeAll(async () => {
  daemon = await startDaemon(["--max-queue", String(MAX_QUEUE), "--max-batch", "1"]);
});

afterAll(async () => {
  await daemon?.stop();
});

const embedTexts = (texts: string[]) => unary<EmbedTextsResponse>((done) => daemon.client().embedTexts({ texts, includeFeatures: false }, done));

it("answers RESOURCE_EXHAUSTED with a retry-after-ms hint when the llm queue is full, then serves the next call", async () => {
  // Twelve uncached captions arrive in one message: the llm queue admits MAX_QUEUE of them.
  const burst = Array.from({ length: 12 }, (_, i) => `a small red circle at the top left, burst ${i}`);
  const error = await failure(embedTexts(burst));
  expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(error.details).toMatch(new RegExp(`llm queue is full \\(maxQueue ${MAX_QUEUE}`));
  expect(Number(error.metadata.get(RETRY_AFTER_MS_KEY)[0])).toBeGreaterThan(0);

  const next = await embedTexts(["a large blue square at the bottom right"]);
  expect(next.results).toHaveLength(1);
  expect(next.results[0]!.embedding!.values.length).toBeGreaterThan(0);
});

it("syncs every file when --max-queue is below the sync's own concurrency: a full queue makes a file wait, not fail", async () => {
  const images = await Promise.all(
    Array.from({ length: 16 }, async (_, i) => ({ path: `shade-${i}.png`, bytes: await flatImage(`rgb(${i * 15}, ${255 - i * 15}, 90)`) })),
  );
  const result = await runSync(daemon.client(), daemon.metadata(), { collection: "small-queue", images });
  expect(result.error).toBeUndefined();
  expect(result.progress.filter((p) => p.error)).toEqual([]);
  expect(result.summary).toMatchObject({ added: 16, failed: 0, embedded: 16, totalAssets: 16 });
});
