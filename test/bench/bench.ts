// `npm run bench`: the daemon against its peers, measured in the same run on the same machine.
//   peer (a): the same ONNX graphs run in-process by onnxruntime-node through the daemon's runtime, without gRPC;
//   peer (b): PyTorch on the CPU running the model's architecture in-process (torch_peer.py).
// Also: fused against plain attention export, and the event loop's timer delay while graphs run (./attention.ts).
// Prints a table, writes <mode>.json and .md under test/.artifacts/bench (with --record, into the committed results/),
// and ends with one JSON line for machines.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Metadata, type ClientDuplexStream } from "@grpc/grpc-js";
import type { EmbedImagesRequest, EmbedImagesResponse, Llm2ClipClient } from "@llm2clip/proto";
import { loadModel } from "../../server/src/model/load";
import { Llm2VecTokenizer } from "../../server/src/model/llm2vec";
import { readManifest } from "../../server/src/model/manifest";
import { createMatrixScan } from "../../server/src/runtime/matrix-scan";
import type { MatrixScan } from "../../server/src/store/scan";
import { Collection, openDatabase } from "../../server/src/store/collection";
import { DEFAULT_MODEL_DIR, REPO_ROOT, startDaemon, type RunningDaemon } from "../support/daemon";
import { type AttentionBench, benchAttention, vitGraphs } from "./attention";
import { alternateRounds, closedLoop, percentile, timeEach, type LoadResult, type RoundsResult } from "./measure";
import { caption, renderImages } from "./workload";

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean", default: false }, model: { type: "string" }, record: { type: "boolean", default: false } },
});
const MODE = flags.quick ? "quick" : "full";
const MODEL_DIR = path.resolve(flags.model ?? DEFAULT_MODEL_DIR);
const CONCURRENCY = [1, 8, 64];
const REQUESTS = flags.quick ? 128 : 512;
// PyTorch is the slowest peer; its throughput settles with fewer requests.
const TORCH_REQUESTS = flags.quick ? 64 : 256;
const CACHE_SAMPLES = flags.quick ? 40 : 200;
const SEARCH_SIZES = [1_000, 10_000, 100_000];
const SEARCH_SAMPLES = flags.quick ? 30 : 100;
const BENCH_DIR = path.join(REPO_ROOT, "test/bench");
/** Where the tables go: the committed ones change only when a run is recorded on purpose (npm run bench:record). */
const RESULTS_DIR = flags.record ? path.join(BENCH_DIR, "results") : path.join(REPO_ROOT, "test/.artifacts/bench");
/** The exported ViT-B/16 graphs are cached here between runs (ignored). */
const GRAPHS_DIR = path.join(REPO_ROOT, "test/.artifacts/bench/graphs");
const ATTENTION_ROUNDS = flags.quick ? 3 : 7;
const HEADLINE_ROUNDS = flags.quick ? 3 : 7;
const EVENT_LOOP_SECONDS = flags.quick ? 5 : 20;
const started = performance.now();
const progress = (what: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);

type ByConcurrency = Record<string, LoadResult>;

function unary<T>(call: (done: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value as T))));
}

/** One EmbedImages stream carrying one image at a time, as one client of the daemon would. */
class ImageStream {
  private readonly stream: ClientDuplexStream<EmbedImagesRequest, EmbedImagesResponse>;
  private readonly waiting = new Map<string, (r: EmbedImagesResponse) => void>();
  private next = 0;

  constructor(client: Llm2ClipClient) {
    this.stream = client.embedImages(new Metadata());
    this.stream.on("data", (r: EmbedImagesResponse) => this.waiting.get(r.id)?.(r));
    // A stream the daemon ends (e.g. its idle timeout) fails the requests still waiting on it instead of the process.
    this.stream.on("error", (err: Error) => {
      for (const done of this.waiting.values()) done({ id: "", error: { message: err.message } } as EmbedImagesResponse);
    });
  }

  embed(bytes: Buffer): Promise<EmbedImagesResponse> {
    const id = String(this.next++);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (r) => {
        this.waiting.delete(id);
        r.error ? reject(new Error(r.error.message)) : resolve(r);
      });
      this.stream.write({ id, chunk: bytes, last: true });
    });
  }

  close(): void {
    this.stream.end();
  }
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "llm2clip-bench-"));
  try {
    const manifest = await readManifest(MODEL_DIR);
    const images = await renderImages(path.join(work, "images"), REQUESTS);
    const imageAt = (i: number) => images[i % images.length]!.bytes;
    // Every measured text request uses a caption no earlier request used, so the text cache never answers it.
    let captionCursor = 0;
    const freshCaptions = (n: number) => Array.from({ length: n }, () => caption(captionCursor++));

    console.error(`bench (${MODE}): model ${manifest.name} from ${path.relative(REPO_ROOT, MODEL_DIR)}, ${os.cpus().length} CPUs`);

    progress("peer (a): in-process runtime");
    const inProcess = { images: {} as ByConcurrency, texts: {} as ByConcurrency };
    const model = await loadModel(MODEL_DIR, { device: "cpu", log: { info: () => {}, warn: () => {} } });
    for (const c of CONCURRENCY) {
      inProcess.images[c] = await closedLoop(REQUESTS, c, (i) => model.embedImage(imageAt(i)));
      const captions = freshCaptions(REQUESTS);
      inProcess.texts[c] = await closedLoop(REQUESTS, c, (i) => model.embedText(captions[i]!));
    }
    const cacheCaptions = freshCaptions(CACHE_SAMPLES);
    const inProcessCache = {
      missP50Ms: percentile(await timeEach(CACHE_SAMPLES, (i) => model.embedText(cacheCaptions[i]!)), 50),
      hitP50Ms: percentile(await timeEach(CACHE_SAMPLES, (i) => model.embedText(cacheCaptions[i]!)), 50),
    };
    await model.close();

    progress("peer (b): PyTorch in-process, batch size standing for concurrency");
    const tokenizer = await Llm2VecTokenizer.load(manifest.text, manifest.path);
    const torchJob = {
      model: MODEL_DIR,
      batches: CONCURRENCY,
      padId: tokenizer.padId,
      images: images.slice(0, TORCH_REQUESTS).map((image) => image.path),
      texts: freshCaptions(TORCH_REQUESTS).map((text) => tokenizer.encode(text)),
    };
    const torch = await runTorchPeer(torchJob);

    progress("search: filling collections of random unit vectors through the store");
    const dataDir = path.join(work, "data");
    const searchInProcess: Record<string, SearchScans> = {};
    for (const size of SEARCH_SIZES) searchInProcess[size] = await fillCollection(dataDir, `bench-${size}`, size, manifest.name, manifest.embedDim);

    progress("daemon over gRPC");
    const daemon = await startDaemon(["--model", MODEL_DIR, "--device", "cpu", "--data-dir", dataDir]);
    const daemonResults = await measureDaemon(daemon, imageAt, freshCaptions);

    progress(`daemon against PyTorch, images at concurrency 8, ${HEADLINE_ROUNDS} alternating rounds`);
    const client = daemon.client();
    const headline = await alternateRounds(
      HEADLINE_ROUNDS,
      [
        "daemon",
        async () => {
          const streams = Array.from({ length: 8 }, () => new ImageStream(client));
          let s = 0;
          const result = await closedLoop(TORCH_REQUESTS, 8, (i) => streams[s++ % 8]!.embed(imageAt(i)));
          streams.forEach((stream) => stream.close());
          return result.throughput;
        },
      ],
      ["torch", async () => (await runTorchPeer({ ...torchJob, batches: [8], texts: torchJob.texts.slice(0, 8) })).images[8]!.throughput],
    );
    client.close();
    await daemon.stop();

    progress("attention: fused against plain ViT-B/16-224 export, in rounds; event-loop delay while it runs");
    mkdirSync(GRAPHS_DIR, { recursive: true });
    const attention = await benchAttention(vitGraphs(REPO_ROOT, GRAPHS_DIR), ATTENTION_ROUNDS, EVENT_LOOP_SECONDS);

    const report = buildReport({ manifestName: manifest.name, inProcess, inProcessCache, torch, daemon: daemonResults, searchInProcess, attention, headline });
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, `${MODE}.json`), JSON.stringify(report.json, null, 2) + "\n");
    writeFileSync(path.join(RESULTS_DIR, `${MODE}.md`), report.markdown);
    progress(`tables written to ${path.relative(REPO_ROOT, RESULTS_DIR)}/${MODE}.{json,md}`);
    console.log(report.markdown);
    console.log(JSON.stringify(report.summary));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface TorchPeerJob {
  model: string;
  batches: number[];
  padId: number;
  images: string[];
  texts: unknown[];
}
type TorchPeerResult = { threads: number; torch: string; images: ByConcurrency; texts: ByConcurrency };

/**
 * Runs torch_peer.py on `job`. Asynchronous, so that the event loop keeps serving the daemon's open streams (their
 * half-close, keepalives) while PyTorch runs: the daemon ends streams whose client stays silent too long.
 */
function runTorchPeer(job: TorchPeerJob): Promise<TorchPeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", [path.join(BENCH_DIR, "torch_peer.py")], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(stdout) as TorchPeerResult) : reject(new Error(`torch peer failed (${code}): ${stderr}`))));
    child.stdin.end(JSON.stringify(job));
  });
}

interface SearchScans {
  /** In-process top-10 p50 in ms, scoring every row in V8. */
  v8P50Ms: number;
  /** The same, scoring through ONNX Runtime (what the daemon does from MIN_ROWS_FOR_SCAN rows on). */
  ortP50Ms: number;
}

/** Creates a collection of `size` assets with random unit embeddings; returns the in-process top-10 p50s. */
async function fillCollection(dataDir: string, name: string, size: number, modelName: string, dim: number): Promise<SearchScans> {
  const dir = path.join(dataDir, "collections");
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(path.join(dir, `${name}.sqlite`));
  // Filling only: one fsync per row would make a 100k fill take minutes. The daemon reopens with its own settings.
  db.pragma("synchronous = OFF");
  const collection = new Collection(name, db, { name: modelName, embedDim: dim });
  let seed = size;
  const gauss = () => {
    seed = (seed * 16807) % 2147483647;
    const u = seed / 2147483647;
    seed = (seed * 16807) % 2147483647;
    return Math.sqrt(-2 * Math.log(u + 1e-12)) * Math.cos((2 * Math.PI * seed) / 2147483647);
  };
  const unit = () => {
    const v = Float32Array.from({ length: dim }, gauss);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  // One outer transaction: each addContent becomes a savepoint inside it, so the fill commits once.
  db.transaction(() => {
    for (let i = 0; i < size; i++) {
      const sha256 = i.toString(16).padStart(64, "0");
      const assetPath = `images/${Math.floor(i / 1000)}/asset-${i}.png`;
      collection.addContent(
        { sha256, size: 1000, width: 128, height: 128, embedding: unit() },
        [{ path: assetPath, sha256, size: 1000, mtimeMs: 0, altTexts: [] }],
      );
    }
  })();
  collection.close();
  const query = unit();
  const p50 = async (scan?: MatrixScan) => {
    const reopened = new Collection(name, openDatabase(path.join(dir, `${name}.sqlite`)), { name: modelName, embedDim: dim }, scan);
    await reopened.rank(query, 10);
    const latencies = [];
    for (let i = 0; i < SEARCH_SAMPLES; i++) {
      const t0 = performance.now();
      await reopened.rank(query, 10);
      latencies.push(performance.now() - t0);
    }
    reopened.close();
    return percentile(latencies.sort((a, b) => a - b), 50);
  };
  return { v8P50Ms: await p50(), ortP50Ms: await p50(createMatrixScan()) };
}

interface DaemonResults {
  images: ByConcurrency;
  texts: ByConcurrency;
  cache: { missP50Ms: number; hitP50Ms: number };
  searchP50Ms: Record<string, number>;
  rssAfterLoadMiB: number;
  rssAfterBenchMiB: number;
}

async function measureDaemon(daemon: RunningDaemon, imageAt: (i: number) => Buffer, freshCaptions: (n: number) => string[]): Promise<DaemonResults> {
  const client = daemon.client();
  const pid = daemon.process.pid!;
  const rssAfterLoadMiB = rssMiB(pid);
  const embedTexts = (texts: string[]) => unary((done) => client.embedTexts({ texts, includeFeatures: false }, daemon.metadata(), done));

  const images: ByConcurrency = {};
  const texts: ByConcurrency = {};
  for (const c of CONCURRENCY) {
    const streams = Array.from({ length: c }, () => new ImageStream(client));
    let s = 0;
    images[c] = await closedLoop(REQUESTS, c, (i) => streams[s++ % c]!.embed(imageAt(i)));
    streams.forEach((stream) => stream.close());
    const captions = freshCaptions(REQUESTS);
    texts[c] = await closedLoop(REQUESTS, c, (i) => embedTexts([captions[i]!]));
  }

  const cacheCaptions = freshCaptions(CACHE_SAMPLES);
  const miss = await timeEach(CACHE_SAMPLES, (i) => embedTexts([cacheCaptions[i]!]));
  const hit = await timeEach(CACHE_SAMPLES, (i) => embedTexts([cacheCaptions[i]!]));

  const searchP50Ms: Record<string, number> = {};
  for (const size of SEARCH_SIZES) {
    const search = () =>
      unary((done) => client.searchAssets({ collection: `bench-${size}`, terms: [{ weight: 1, text: "a small red circle at the top-left" }], expression: "", topK: 10, includeGlobs: [], excludeGlobs: [] }, daemon.metadata(), done));
    await search();
    searchP50Ms[size] = percentile(await timeEach(SEARCH_SAMPLES, search), 50);
  }
  client.close();
  return {
    images,
    texts,
    cache: { missP50Ms: percentile(miss, 50), hitP50Ms: percentile(hit, 50) },
    searchP50Ms,
    rssAfterLoadMiB,
    rssAfterBenchMiB: rssMiB(pid),
  };
}

interface ReportInput {
  manifestName: string;
  inProcess: { images: ByConcurrency; texts: ByConcurrency };
  inProcessCache: { missP50Ms: number; hitP50Ms: number };
  torch: TorchPeerResult;
  daemon: DaemonResults;
  searchInProcess: Record<string, SearchScans>;
  attention: AttentionBench;
  headline: RoundsResult;
}

function buildReport(input: ReportInput) {
  const { inProcess, torch, daemon } = input;
  const fused = input.attention.fusedVsPlain;
  const loop = input.attention.eventLoop;
  const f = (x: number, digits = 1) => x.toFixed(digits);
  const rows: string[] = [
    `## Throughput and latency (${MODE}, model ${input.manifestName}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"}, ${new Date().toISOString().slice(0, 10)})`,
    "",
    `Peer (a): the same ONNX graphs in-process through the runtime, no gRPC. Peer (b): PyTorch ${torch.torch} on the CPU, ${torch.threads} threads, batch = concurrency.`,
    "",
    "| what | concurrency | daemon /s | in-process (a) /s | torch (b) /s | daemon ÷ (a) | daemon ÷ (b) | daemon p50 ms | daemon p99 ms | (a) p50 ms | (b) p50 ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const kind of ["images", "texts"] as const) {
    for (const c of CONCURRENCY) {
      const d = daemon[kind][c]!;
      const a = inProcess[kind][c]!;
      const b = torch[kind][c]!;
      rows.push(
        `| ${kind === "images" ? "images" : "captions (cache miss)"} | ${c} | ${f(d.throughput)} | ${f(a.throughput)} | ${f(b.throughput)} | ${f(d.throughput / a.throughput, 2)} | ${f(d.throughput / b.throughput, 2)} | ${f(d.p50Ms, 2)} | ${f(d.p99Ms, 2)} | ${f(a.p50Ms, 2)} | ${f(b.p50Ms, 2)} |`,
      );
    }
  }
  const cacheSpeedup = daemon.cache.missP50Ms / daemon.cache.hitP50Ms;
  const inProcessCacheSpeedup = input.inProcessCache.missP50Ms / input.inProcessCache.hitP50Ms;
  rows.push(
    "",
    "| text cache, 1 caption | daemon (EmbedTexts) p50 ms | in-process (a) p50 ms |",
    "| --- | ---: | ---: |",
    `| miss: LLM + adapter | ${f(daemon.cache.missP50Ms, 2)} | ${f(input.inProcessCache.missP50Ms, 2)} |`,
    `| hit: adapter only | ${f(daemon.cache.hitP50Ms, 2)} | ${f(input.inProcessCache.hitP50Ms, 2)} |`,
    `| speedup | ${f(cacheSpeedup, 1)}× | ${f(inProcessCacheSpeedup, 1)}× |`,
    "",
    "| search, top 10 of N assets | in-process, V8 scan p50 ms | in-process, ORT scan p50 ms | V8 ÷ ORT | SearchAssets via gRPC p50 ms |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...SEARCH_SIZES.map((n) => {
      const scans = input.searchInProcess[n]!;
      return `| ${n.toLocaleString("en")} | ${f(scans.v8P50Ms, 2)} | ${f(scans.ortP50Ms, 2)} | ${f(scans.v8P50Ms / scans.ortP50Ms, 1)}× | ${f(daemon.searchP50Ms[n]!, 2)} |`;
    }),
    "",
    "The daemon scores with ONNX Runtime from 4,096 assets on, with V8 below that.",
    "",
    `Daemon RSS: ${f(daemon.rssAfterLoadMiB)} MiB with the model loaded, ${f(daemon.rssAfterBenchMiB)} MiB after the run (100k-asset collections open).`,
    "",
    `Daemon ÷ PyTorch, images at concurrency 8, ${input.headline.ratios.length} alternating rounds: median ${f(input.headline.median, 2)} (${f(input.headline.min, 2)}–${f(input.headline.max, 2)}); daemon ${input.headline.samples.daemon!.map((x) => f(x)).join(", ")} img/s, torch ${input.headline.samples.torch!.map((x) => f(x)).join(", ")} img/s.`,
    "",
    `Random-weight ViT-B/16-224, float32, batch 8, through the runtime's worker sessions, ${input.attention.fusedVsPlain.ratios.length} alternating rounds:`,
    "",
    "| export | img/s per round | fused ÷ plain, median (min–max) |",
    "| --- | --- | ---: |",
    ...(["fused", "plain"] as const).map(
      (peer) =>
        `| ${peer === "fused" ? "fused attention (MultiHeadAttention)" : "plain (torch's ops)"} | ${input.attention.fusedVsPlain.samples[peer]!.map((x) => f(x, 2)).join(", ")} | ${peer === "fused" ? `${f(fused.median, 2)} (${f(fused.min, 2)}–${f(fused.max, 2)})` : ""} |`,
    ),
    "",
    `Event loop while the fused graph runs back to back (${loop.batches} batches, p50 ${f(loop.batchMsP50, 0)} ms each): a 10 ms timer fired late by p50 ${f(loop.timerDelayP50Ms, 2)} ms, p99 ${f(loop.timerDelayP99Ms, 2)} ms, max ${f(loop.timerDelayMaxMs, 2)} ms; with nothing running, p99 ${f(loop.idleTimerDelayP99Ms, 2)} ms.`,
    "",
  );
  const summary = {
    mode: MODE,
    model: input.manifestName,
    // Median over rounds that alternate the daemon and PyTorch (images, concurrency 8), with the rounds' min and max.
    image_throughput_ratio_vs_torch: input.headline.median,
    image_throughput_ratio_vs_torch_spread: [input.headline.min, input.headline.max],
    // Time per image through gRPC over time per image in-process, at concurrency 8: 1.15 means 15% overhead.
    grpc_overhead_ratio: inProcess.images[8]!.throughput / daemon.images[8]!.throughput,
    cache_speedup: cacheSpeedup,
    cache_speedup_in_process: inProcessCacheSpeedup,
    search_p50_ms_100k: daemon.searchP50Ms[100_000]!,
    search_scan_p50_ms_100k: input.searchInProcess[100_000]!.ortP50Ms,
    search_v8_scan_p50_ms_100k: input.searchInProcess[100_000]!.v8P50Ms,
    daemon_images_per_s_c8: daemon.images[8]!.throughput,
    daemon_captions_per_s_c8: daemon.texts[8]!.throughput,
    daemon_rss_mib: daemon.rssAfterLoadMiB,
    fused_vit_speedup_cpu: fused.median,
    fused_vit_speedup_cpu_spread: [fused.min, fused.max],
    event_loop_p99_ms: loop.timerDelayP99Ms,
    event_loop_idle_p99_ms: loop.idleTimerDelayP99Ms,
    event_loop_batch_ms: loop.batchMsP50,
  };
  return { json: { ...input, summary }, markdown: rows.join("\n"), summary };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
