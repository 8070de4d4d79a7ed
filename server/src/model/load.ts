/**
 * The model runtime's one entry point:
 *
 *   loadModel(dir, options?): Promise<OnnxLlm2ClipModel>   (an Llm2ClipModel, see ./types.ts)
 *
 * It reads `<dir>/manifest.json` (models/MANIFEST.md), checks every file and dimension, opens the vision, llm and
 * adapter graphs on onnxruntime-node, and runs each once to check its output shape (which also warms ORT up).
 *
 * Options (all optional):
 * - device: 'auto' (default) tries CUDA and falls back to the CPU, logging why; 'cpu'; 'cuda' fails with
 *   failed_precondition (field `device`) when the CUDA provider cannot start. On CUDA each graph prefers its
 *   manifest's float16 file, on the CPU its float32 one; every graph's floating I/O is float32 (float16 graphs cast inside).
 * - cacheDir: folder for the persistent text-feature cache (SQLite, `text-features.sqlite`); memory only without it.
 *   The same file remembers the llm graph's digest by (path, size, mtime), so a multi-GB graph is hashed once.
 * - textCacheEntries: captions kept in the in-memory LRU (default 4096).
 * - maxImagePixels: decoded-size limit for images (default 50 MP); larger ones are invalid_argument.
 * - preprocessor: where images are decoded and preprocessed (default: on the calling thread; the daemon passes its
 *   pool of worker processes, runtime/decode-pool.ts). The caller keeps ownership of it.
 * - batching: per graph, { maxBatch, maxWaitMs, maxQueue }, merged over DEFAULT_BATCHING.
 * - intraOpThreads: ORT threads per operator (default 0: one per physical core).
 * - idleUnloadMs: release each graph's session after this long without a run, and open it again on the next one
 *   (default: never); onGraphLoaded is told of each change.
 * - log: { info, warn }; defaults to the console.
 *
 * Errors: a folder that breaks the contract gives Llm2ClipError('failed_precondition') whose message names the
 * manifest, the field and the problem, e.g. `/m/manifest.json: graphs.vision.file: vision.onnx does not exist`.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Llm2ClipError } from "../errors";
import { type BatchLimits, checkBatchLimits } from "../runtime/batcher";
import { IdleUnloadingSession } from "../runtime/idle-unloading-session";
import { cudaProviderInstalled, DEFAULT_TUNING, openGraphSession } from "../runtime/session";
import { checkGraph } from "./graph-contract";
import { DEFAULT_MAX_IMAGE_PIXELS, type ImagePreprocessor, inProcessPreprocessor } from "./image";
import { Llm2VecTokenizer } from "./llm2vec";
import { llmFeeds, OnnxLlm2ClipModel } from "./llm2clip-model";
import { type FloatType, GRAPH_NAMES, type GraphName, type GraphSpec, type Manifest, manifestError, readManifest } from "./manifest";
import { rememberedDigest, sha256File, textFeatureFingerprint } from "./fingerprint";
import type { Device, FloatTensor, ModelSession } from "./session";
import { TEXT_CACHE_FILE, TextFeatureCache } from "./text-feature-cache";

export interface LoadLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface LoadOptions {
  device?: "auto" | Device;
  cacheDir?: string;
  textCacheEntries?: number;
  maxImagePixels?: number;
  preprocessor?: ImagePreprocessor;
  batching?: Partial<Record<GraphName, Partial<BatchLimits>>>;
  intraOpThreads?: number;
  idleUnloadMs?: number;
  onGraphLoaded?: (graph: GraphName, loaded: boolean) => void;
  log?: LoadLogger;
  /** Told the size of every batch a graph runs. */
  onBatch?: (graph: GraphName, rows: number) => void;
}

/**
 * No wait by default: a lone call runs at once (a 1 to 2 ms wait measured 3 to 6x slower p50 latency on random-tiny
 * with no throughput gain), and under load batches still form, from the calls that arrive while a run is busy and
 * from those made in the same turn of the event loop. The queues bound memory: an admitted image holds its pixels.
 */
export const DEFAULT_BATCHING: Record<GraphName, BatchLimits> = {
  vision: { maxBatch: 16, maxWaitMs: 0, maxQueue: 256 },
  llm: { maxBatch: 16, maxWaitMs: 0, maxQueue: 256 },
  adapter: { maxBatch: 64, maxWaitMs: 0, maxQueue: 1024 },
};

interface ChosenFile {
  file: string;
  path: string;
  dtype: FloatType;
  /** The manifest field that names it. */
  field: string;
}

/** The graph's file in the precision the device prefers, if the manifest has one, else its main file. */
export function chooseFile(name: GraphName, graph: GraphSpec, device: Device): ChosenFile {
  const preferred: FloatType = device === "cuda" ? "float16" : "float32";
  const variant = graph.dtype === preferred ? undefined : graph.variants[preferred];
  if (variant) return { ...variant, dtype: preferred, field: `graphs.${name}.variants.${preferred}` };
  return { file: graph.file, path: graph.path, dtype: graph.dtype, field: `graphs.${name}.file` };
}

/** Runs each graph once on a small input, checking output shapes the session metadata may have left symbolic. */
async function probe(manifest: Manifest, tokenizer: Llm2VecTokenizer, sessions: Record<GraphName, ModelSession>, files: Record<GraphName, ChosenFile>) {
  const expectRow = (graph: GraphName, output: string, tensor: FloatTensor, width: number, field: string) => {
    if (tensor.dims.length !== 2 || tensor.dims[0] !== 1 || tensor.dims[1] !== width) {
      throw manifestError(
        manifest.path,
        field,
        `${files[graph].file} gave ${output} of shape [${tensor.dims.join(", ")}] for one input, but ${field} is ${width}`,
      );
    }
  };
  const size = manifest.image.size;
  const pixels = { data: new Float32Array(3 * size * size), dims: [1, 3, size, size] };
  const vision = await sessions.vision.run({ pixel_values: pixels }, ["image_embeds"]);
  expectRow("vision", "image_embeds", vision.image_embeds, manifest.embedDim, "embed_dim");
  const llm = await sessions.llm.run(llmFeeds(tokenizer.pad([tokenizer.encode("a photo")])), ["features"]);
  expectRow("llm", "features", llm.features, manifest.featureDim, "feature_dim");
  const adapter = await sessions.adapter.run({ features: llm.features }, ["text_embeds"]);
  expectRow("adapter", "text_embeds", adapter.text_embeds, manifest.embedDim, "embed_dim");
}

interface IdleUnload {
  ms: number;
  log: LoadLogger;
  onGraphLoaded?: (graph: GraphName, loaded: boolean) => void;
}

/** Opens the three graphs on `device`, checks them against the contract and probes them once. */
async function openGraphs(manifest: Manifest, tokenizer: Llm2VecTokenizer, device: Device, intraOpThreads: number, idleUnload?: IdleUnload) {
  const sessions: Partial<Record<GraphName, ModelSession>> = {};
  const files = {} as Record<GraphName, ChosenFile>;
  try {
    for (const name of GRAPH_NAMES) {
      const chosen = chooseFile(name, manifest.graphs[name], device);
      const open = () => openGraphSession(chosen.path, device, { intraOpThreads });
      const session = await open().catch((err: Error) => {
        if (device === "cuda") throw err;
        throw manifestError(manifest.path, chosen.field, `${chosen.file} cannot be loaded by ONNX Runtime: ${err.message}`);
      });
      sessions[name] = idleUnload
        ? new IdleUnloadingSession(open, session, idleUnload.ms, `graph ${name}`, idleUnload.log, (loaded) => idleUnload.onGraphLoaded?.(name, loaded))
        : session;
      files[name] = chosen;
      checkGraph(manifest, name, chosen, session);
    }
    await probe(manifest, tokenizer, sessions as Record<GraphName, ModelSession>, files);
  } catch (err) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw err;
  }
  return { sessions: sessions as Record<GraphName, ModelSession>, files };
}

async function openOnDevice(manifest: Manifest, tokenizer: Llm2VecTokenizer, options: LoadOptions, log: LoadLogger) {
  const preference = options.device ?? "auto";
  const threads = options.intraOpThreads ?? DEFAULT_TUNING.intraOpThreads;
  const idleUnload = options.idleUnloadMs === undefined ? undefined : { ms: options.idleUnloadMs, log, onGraphLoaded: options.onGraphLoaded };
  if (preference !== "cpu") {
    const unavailable = (why: string) =>
      new Llm2ClipError("failed_precondition", `device cuda: the CUDA execution provider is unavailable: ${why}`, "device");
    if (!cudaProviderInstalled()) {
      const why = "onnxruntime-node has no CUDA provider library (install it with `npm run setup:cuda`)";
      if (preference === "cuda") throw unavailable(why);
      log.info(`device auto: using the CPU, since ${why}`);
    } else {
      try {
        return { device: "cuda" as const, ...(await openGraphs(manifest, tokenizer, "cuda", threads, idleUnload)) };
      } catch (err) {
        if (err instanceof Llm2ClipError) throw err;
        if (preference === "cuda") throw unavailable((err as Error).message);
        log.warn(`device auto: CUDA failed to start (${(err as Error).message}); falling back to the CPU`);
      }
    }
  }
  const graphs = await openGraphs(manifest, tokenizer, "cpu", threads, idleUnload).catch((err: Error) => {
    if (err instanceof Llm2ClipError) throw err;
    throw new Llm2ClipError("failed_precondition", `${manifest.path}: the graphs failed a probe run on the CPU: ${err.message}`, "graphs");
  });
  return { device: "cpu" as const, ...graphs };
}

export async function loadModel(dir: string, options: LoadOptions = {}): Promise<OnnxLlm2ClipModel> {
  const log = options.log ?? { info: (m) => console.log(m), warn: (m) => console.warn(m) };
  const started = performance.now();
  const batching = {} as Record<GraphName, BatchLimits>;
  for (const name of GRAPH_NAMES) {
    const given = Object.entries(options.batching?.[name] ?? {}).filter(([, value]) => value !== undefined);
    batching[name] = { ...DEFAULT_BATCHING[name], ...Object.fromEntries(given) };
    checkBatchLimits(name, batching[name]);
  }
  const manifest = await readManifest(dir);
  const tokenizer = await Llm2VecTokenizer.load(manifest.text, manifest.path);
  const { device, sessions, files } = await openOnDevice(manifest, tokenizer, options, log);
  let fingerprint: string;
  try {
    if (options.cacheDir) mkdirSync(options.cacheDir, { recursive: true });
    const digest = options.cacheDir ? rememberedDigest(path.join(options.cacheDir, TEXT_CACHE_FILE)) : sha256File;
    fingerprint = await textFeatureFingerprint(files.llm.path, manifest.text.tokenizer.path, manifest.rawText, digest);
  } catch (err) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw err;
  }
  const precision = GRAPH_NAMES.some((name) => files[name].dtype === "float16") ? "float16" : "float32";
  const model = new OnnxLlm2ClipModel({
    manifest,
    sessions,
    tokenizer,
    cache: new TextFeatureCache({
      fingerprint,
      memoryEntries: options.textCacheEntries ?? 4096,
      dir: options.cacheDir,
      onWriteError: (error, failures) => {
        // The first failure and then one in a thousand: a full disk must not flood the log.
        if (failures % 1000 === 1) log.warn(`text-feature cache: cannot write to ${options.cacheDir} (${failures} failed writes so far; answers are unaffected): ${error.message}`);
      },
    }),
    batching,
    maxImagePixels: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
    preprocessor: options.preprocessor ?? inProcessPreprocessor,
    onBatch: options.onBatch,
    description: {
      name: manifest.name,
      dir: manifest.dir,
      embedDim: manifest.embedDim,
      featureDim: manifest.featureDim,
      imageSize: manifest.image.size,
      maxTokens: manifest.text.maxLength,
      logitScale: manifest.logitScale,
      device,
      precision,
      altTextThresholds: manifest.altText.thresholds,
      captionBankPath: manifest.altText.captionBank?.path,
      selfCheck: manifest.selfCheck && { imagePath: manifest.selfCheck.image.path, captions: manifest.selfCheck.captions },
      domain: manifest.domain && {
        description: manifest.domain.description,
        imagePaths: manifest.domain.images.map((image) => image.path),
        outsideCaptions: manifest.domain.outsideCaptions,
      },
    },
  });
  const loaded = GRAPH_NAMES.map((name) => `${name}=${files[name].file}`).join(", ");
  log.info(
    `model ${manifest.name} loaded in ${Math.round(performance.now() - started)} ms on ${device} (${precision}): ${loaded}; ` +
      `text-feature cache ${options.cacheDir ? `in ${options.cacheDir}` : "in memory only"}`,
  );
  return model;
}
