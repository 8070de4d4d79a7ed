// Prometheus metrics through a real llm2clipd: off unless --metrics is given, loopback only, and the series an
// operator needs, fetched over HTTP after real calls.
import path from "node:path";
import { status } from "@grpc/grpc-js";
import type { EmbedTextsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, REPO_ROOT, runDaemon, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages } from "../support/grpc-clients";
import { flatImage } from "../support/images";

const MODEL = path.join(REPO_ROOT, "models/testing/random-tiny");
let daemon: RunningDaemon;
let metricsUrl: string;

beforeAll(async () => {
  daemon = await startDaemon(["--model", MODEL, "--metrics", "127.0.0.1:0"]);
  metricsUrl = /^metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(daemon.stdout)![1]!;
});

afterAll(async () => {
  await daemon?.stop();
});

/** The value of one sample line, e.g. `llm2clipd_requests_total{method="EmbedTexts",code="OK"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("--metrics", () => {
  it("serves requests and errors by RPC and code, latency, queue depth, batch sizes, text-cache hits and misses, and load time", async () => {
    const client = daemon.client();
    const embedTexts = (texts: string[]) => unary<EmbedTextsResponse>((done) => client.embedTexts({ texts, includeFeatures: false }, done));
    await embedTexts(["a red circle on the left", "a blue square"]);
    await embedTexts(["a red circle on the left"]);
    expect((await failure(embedTexts([]))).code).toBe(status.INVALID_ARGUMENT);
    await embedImages(client, [{ id: "one", chunk: await flatImage("green"), last: true }]);

    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'llm2clipd_requests_total{method="EmbedTexts",code="OK"}')).toBe(2);
    expect(sample(text, 'llm2clipd_requests_total{method="EmbedTexts",code="INVALID_ARGUMENT"}')).toBe(1);
    expect(sample(text, 'llm2clipd_requests_total{method="EmbedImages",code="OK"}')).toBe(1);
    expect(sample(text, 'llm2clipd_request_duration_seconds_count{method="EmbedTexts"}')).toBe(3);
    expect(sample(text, 'llm2clipd_request_duration_seconds_bucket{le="+Inf",method="EmbedTexts"}')).toBe(3);
    for (const graph of ["vision", "llm", "adapter"]) expect(sample(text, `llm2clipd_queue_depth{graph="${graph}"}`)).toBe(0);
    expect(sample(text, 'llm2clipd_batch_size_count{graph="vision"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'llm2clipd_batch_size_sum{graph="llm"}')).toBeGreaterThanOrEqual(2);
    // The self-check embeds its captions too, so at least these: one hit (the repeated caption), two misses.
    expect(sample(text, 'llm2clipd_text_cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'llm2clipd_text_cache_requests_total{result="miss"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, "llm2clipd_model_load_seconds")).toBeGreaterThan(0);
    client.close();
  });

  it("answers 404 off /metrics, and refuses a non-loopback address", async () => {
    expect((await fetch(metricsUrl.replace("/metrics", "/other"))).status).toBe(404);
    const run = await runDaemon(["--model", MODEL, "--metrics", "0.0.0.0:9464"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--metrics: 0\.0\.0\.0:9464 is not a loopback address; metrics are served on loopback only/);
  });
});
