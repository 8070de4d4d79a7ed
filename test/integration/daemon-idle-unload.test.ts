// --idle-unload-after through a real llm2clipd: the graphs' sessions and their worker threads go after the idle time,
// health stays SERVING, and the next calls load them again and answer as before.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { EmbedTextsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages, healthStatus } from "../support/grpc-clients";
import { flatImage } from "../support/images";

const MODEL = path.join(REPO_ROOT, "models/testing/random-tiny");
const GRAPHS = ["vision", "llm", "adapter"];
let daemon: RunningDaemon;
let metricsUrl: string;

beforeAll(async () => {
  daemon = await startDaemon(["--model", MODEL, "--idle-unload-after", "2s", "--metrics", "127.0.0.1:0"]);
  metricsUrl = /^metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(daemon.stdout)![1]!;
});

afterAll(async () => {
  await daemon?.stop();
});

async function loadedGraphs(): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  return Object.fromEntries(GRAPHS.map((graph) => [graph, Number(new RegExp(`^llm2clipd_graph_loaded\\{graph="${graph}"\\} (\\d+)$`, "m").exec(text)?.[1])]));
}

/** Threads of the daemon's process, from /proc: each session's worker thread and its ORT threads count. */
function threads(): number {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${daemon.process.pid}/status`, "utf8"))![1]);
}

describe("--idle-unload-after", () => {
  it("unloads idle graphs, stays SERVING, and loads them again on the next call with the same answers", async () => {
    const client = daemon.client();
    const embedTexts = (texts: string[]) => unary<EmbedTextsResponse>((done) => client.embedTexts({ texts, includeFeatures: true }, daemon.metadata(), done));
    const image = await flatImage("orange", 96, 64);
    const before = { texts: await embedTexts(["a red circle on the left"]), image: await embedImages(client, [{ id: "i", chunk: image, last: true }], daemon.metadata()) };
    // The vision graph ran last: it is loaded now, whatever the others did meanwhile.
    const threadsLoaded = threads();
    expect((await loadedGraphs()).vision).toBe(1);

    for (const graph of GRAPHS) await daemon.waitForLog(new RegExp(`graph ${graph}: unloaded after 2000 ms without a run`), 60_000);
    expect(await loadedGraphs()).toEqual({ vision: 0, llm: 0, adapter: 0 });
    expect(threads()).toBeLessThan(threadsLoaded);
    expect(await healthStatus(daemon.address)).toBe("SERVING");

    const after = { texts: await embedTexts(["a red circle on the left", "a caption the llm has not seen"]), image: await embedImages(client, [{ id: "i", chunk: image, last: true }], daemon.metadata()) };
    for (const graph of GRAPHS) await daemon.waitForLog(new RegExp(`graph ${graph}: loaded again in \\d+ ms`));
    expect(after.texts.results[0]!.embedding!.values).toEqual(before.texts.results[0]!.embedding!.values);
    expect(after.texts.results[0]!.features!.values).toEqual(before.texts.results[0]!.features!.values);
    expect(after.texts.results[1]!.cached).toBe(false);
    expect(after.texts.results[1]!.embedding!.values.length).toBe(before.texts.results[0]!.embedding!.values.length);
    expect(after.image[0]!.error).toBeUndefined();
    expect(after.image[0]!.embedding!.values).toEqual(before.image[0]!.embedding!.values);
    client.close();
  }, 180_000);
});
