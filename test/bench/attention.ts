// Two measures of the runtime on a random-weight ViT-B/16-224 (a real shape; models/llm2clip/random_graphs.py):
// - fused attention (com.microsoft MultiHeadAttention) against the plain export, img/s at batch 8, in rounds;
// - how late a 10 ms timer fires on the event loop while batches run back to back in the session's worker.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { GraphSession } from "../../server/src/runtime/session";
import { percentile, alternateRounds, type RoundsResult } from "./measure";

const PRESET = "vit-b-16-224";
const IMAGE_SIZE = 224;
const BATCH = 8;
// The exporter files whose change makes cached graphs stale.
const EXPORTER_SOURCES = ["modeling.py", "fused_attention.py", "onnx_export.py", "random_graphs.py"];

/** Exports (or reuses) the fused and plain float32 graphs under `dir`. */
export function vitGraphs(repoRoot: string, dir: string): { fused: string; plain: string } {
  const models = path.join(repoRoot, "models");
  const newest = Math.max(...EXPORTER_SOURCES.map((f) => statSync(path.join(models, "llm2clip", f)).mtimeMs));
  const file = (fused: boolean) => path.join(dir, `${PRESET}.${fused ? "fused" : "plain"}.fp32.onnx`);
  for (const fused of [true, false]) {
    if (existsSync(file(fused)) && statSync(file(fused)).mtimeMs > newest) continue;
    const args = ["-m", "llm2clip.random_graphs", PRESET, "--out", dir, ...(fused ? [] : ["--plain"])];
    const run = spawnSync("/usr/bin/python3", args, { cwd: models, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`exporting ${PRESET} failed: ${run.stderr}`);
  }
  return { fused: file(true), plain: file(false) };
}

// One batch of pixels, made once. Generating the 1.2 M values in every call held this thread for 1.2 to 10.6 s at load
// 26: the event-loop figure counted that as the runtime's, and the img/s figure added it to both peers alike.
const PIXELS = new Float32Array(BATCH * 3 * IMAGE_SIZE * IMAGE_SIZE).map((_, i) => Math.sin(i * 0.37));

async function imagesPerSecond(session: GraphSession): Promise<number> {
  // run() transfers its input buffer to the worker, so each batch gets its own copy (a memcpy of 4.8 MB).
  const data = PIXELS.slice();
  const t0 = performance.now();
  await session.run({ pixel_values: { data, dims: [BATCH, 3, IMAGE_SIZE, IMAGE_SIZE] } }, ["image_embeds"]);
  return BATCH / ((performance.now() - t0) / 1000);
}

export interface AttentionBench {
  fusedVsPlain: RoundsResult;
  eventLoop: {
    batches: number;
    batchMsP50: number;
    timerDelayP50Ms: number;
    timerDelayP99Ms: number;
    timerDelayMaxMs: number;
    idleTimerDelayP99Ms: number;
  };
}

/** How late each tick of a 10 ms interval fired while `work` ran, sorted (ms). */
async function timerDelays(work: () => Promise<unknown>): Promise<number[]> {
  const delays: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    delays.push(Math.max(0, now - last - 10));
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return delays.sort((a, b) => a - b);
}

export async function benchAttention(graphs: { fused: string; plain: string }, rounds: number, loopSeconds: number): Promise<AttentionBench> {
  const fused = await GraphSession.open(graphs.fused, "cpu");
  const plain = await GraphSession.open(graphs.plain, "cpu");
  try {
    await imagesPerSecond(fused);
    await imagesPerSecond(plain);
    const fusedVsPlain = await alternateRounds(rounds, ["fused", () => imagesPerSecond(fused)], ["plain", () => imagesPerSecond(plain)]);

    // Batches back to back in the worker; a 10 ms interval on this thread records how late each tick comes. The same
    // interval with nothing running, for as long, is the baseline: on a loaded machine the process itself waits for a
    // core, and that delay is no fault of the runtime.
    const idle = await timerDelays(() => new Promise((resolve) => setTimeout(resolve, loopSeconds * 1000)));
    const batchMs: number[] = [];
    const until = performance.now() + loopSeconds * 1000;
    const busy = await timerDelays(async () => {
      while (performance.now() < until || batchMs.length < 2) batchMs.push(BATCH / (await imagesPerSecond(fused)) * 1000);
    });
    const sortedBatches = batchMs.sort((a, b) => a - b);
    return {
      fusedVsPlain,
      eventLoop: {
        batches: batchMs.length,
        batchMsP50: percentile(sortedBatches, 50),
        timerDelayP50Ms: percentile(busy, 50),
        timerDelayP99Ms: percentile(busy, 99),
        timerDelayMaxMs: busy[busy.length - 1] ?? NaN,
        idleTimerDelayP99Ms: percentile(idle, 99),
      },
    };
  } finally {
    await Promise.all([fused.release(), plain.release()]);
  }
}
