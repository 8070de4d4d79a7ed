// LLM2CLIP composed from its three graphs:
//   embedImage: preprocess (model/image.ts, where the ImagePreprocessor runs it) -> vision graph -> L2 normalise
//   embedText:  LLM2Vec tokens -> llm graph (skipped when the features are cached) -> adapter -> L2 normalise
// Each graph has its own dynamic batcher, so concurrent calls share runs.
import { Llm2ClipError } from "../errors";
import { DynamicBatcher, type BatchLimits } from "../runtime/batcher";
import type { FloatTensor, HostTensor, ModelSession } from "./session";
import type { ImagePreprocessor } from "./image";
import type { GraphName, Manifest } from "./manifest";
import type { CaptionTokens, Llm2VecTokenizer, TextBatch } from "./llm2vec";
import type { TextFeatureCache } from "./text-feature-cache";
import type { ImageEmbedding, Llm2ClipModel, ModelDescription, TextEncoding } from "./types";

export interface RuntimeStats {
  /** Rows run through each graph, and how many runs (batches) that took. */
  rows: Record<GraphName, number>;
  batches: Record<GraphName, number>;
  /** embedText calls answered from the text-feature cache, and those that ran the LLM. */
  textCacheHits: number;
  textCacheMisses: number;
  /** Items waiting in each graph's queue now. */
  queued: Record<GraphName, number>;
}

export interface ModelParts {
  manifest: Manifest;
  description: ModelDescription;
  sessions: Record<GraphName, ModelSession>;
  tokenizer: Llm2VecTokenizer;
  cache: TextFeatureCache;
  batching: Record<GraphName, BatchLimits>;
  maxImagePixels: number;
  preprocessor: ImagePreprocessor;
  /** Told the size of every batch a graph runs (for metrics). */
  onBatch?: (graph: GraphName, rows: number) => void;
}

/** Splits a [rows, width] output into rows, L2-normalised when asked. */
function splitRows(output: FloatTensor, rows: number, width: number, what: string, normalise: boolean): Float32Array[] {
  if (output.dims.length !== 2 || output.dims[0] !== rows || output.dims[1] !== width) {
    throw new Llm2ClipError("internal", `${what} has shape [${output.dims.join(", ")}], expected [${rows}, ${width}]`);
  }
  return Array.from({ length: rows }, (_, r) => {
    const row = output.data.slice(r * width, (r + 1) * width);
    if (normalise) {
      let sum = 0;
      for (const v of row) sum += v * v;
      const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
      for (let i = 0; i < width; i++) row[i] *= scale;
    }
    return row;
  });
}

/** The llm graph's inputs for a padded batch. */
export function llmFeeds(batch: TextBatch): Record<string, HostTensor> {
  return {
    input_ids: { data: batch.inputIds, dims: batch.dims },
    attention_mask: { data: batch.attentionMask, dims: batch.dims },
    embed_mask: { data: batch.embedMask, dims: batch.dims },
  };
}

function concat(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let offset = 0;
  for (const row of rows) {
    out.set(row, offset);
    offset += row.length;
  }
  return out;
}

export class OnnxLlm2ClipModel implements Llm2ClipModel {
  readonly info: ModelDescription;
  private readonly counters: Omit<RuntimeStats, "queued"> = {
    rows: { vision: 0, llm: 0, adapter: 0 },
    batches: { vision: 0, llm: 0, adapter: 0 },
    textCacheHits: 0,
    textCacheMisses: 0,
  };
  private readonly vision: DynamicBatcher<Float32Array, Float32Array>;
  private readonly llm: DynamicBatcher<CaptionTokens, Float32Array>;
  private readonly adapter: DynamicBatcher<Float32Array, Float32Array>;

  constructor(private readonly parts: ModelParts) {
    this.info = parts.description;
    this.vision = new DynamicBatcher("vision", (pixels) => this.runVision(pixels), parts.batching.vision);
    this.llm = new DynamicBatcher("llm", (captions) => this.runLlm(captions), parts.batching.llm);
    this.adapter = new DynamicBatcher("adapter", (features) => this.runAdapter(features), parts.batching.adapter);
  }

  async embedImage(bytes: Uint8Array, signal?: AbortSignal): Promise<ImageEmbedding> {
    let decoded = { width: 0, height: 0 };
    const embedding = await this.vision.submitPrepared(async () => {
      const prepared = await this.parts.preprocessor.preprocess(bytes, this.parts.manifest.image, this.parts.maxImagePixels, signal);
      decoded = prepared;
      return prepared.pixels;
    }, signal);
    return { embedding, width: decoded.width, height: decoded.height };
  }

  async embedText(text: string, signal?: AbortSignal): Promise<TextEncoding> {
    // The cache key is the caption as the tokenizer's policy sees it, so whitespace it drops cannot miss the cache.
    const caption = this.parts.tokenizer.canonical(text);
    let entry = caption === "" ? undefined : this.parts.cache.get(caption);
    const cached = entry !== undefined;
    if (entry) {
      this.counters.textCacheHits++;
    } else {
      this.counters.textCacheMisses++;
      const tokens = this.parts.tokenizer.encode(caption);
      const features = await this.llm.submit(tokens, signal);
      entry = { features, truncated: tokens.truncated, tokenCount: tokens.ids.length };
      this.parts.cache.set(caption, entry);
    }
    const embedding = await this.adapter.submit(entry.features, signal);
    // A copy: the cached array stays as the LLM gave it, whatever the caller does with its result.
    const features = entry.features.slice();
    return { embedding, features, truncated: entry.truncated, tokenCount: entry.tokenCount, cached };
  }

  /** Rows and runs per graph since load, and text-cache hits. */
  stats(): RuntimeStats {
    return {
      ...structuredClone(this.counters),
      queued: { vision: this.vision.queueDepth, llm: this.llm.queueDepth, adapter: this.adapter.queueDepth },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.vision.close(), this.llm.close(), this.adapter.close()]);
    await Promise.all(Object.values(this.parts.sessions).map((s) => s.release()));
    this.parts.cache.close();
  }

  private count(graph: GraphName, rows: number): void {
    this.counters.rows[graph] += rows;
    this.counters.batches[graph]++;
    this.parts.onBatch?.(graph, rows);
  }

  private async runVision(pixels: Float32Array[]): Promise<Float32Array[]> {
    const size = this.parts.manifest.image.size;
    this.count("vision", pixels.length);
    const out = await this.parts.sessions.vision.run(
      { pixel_values: { data: concat(pixels), dims: [pixels.length, 3, size, size] } },
      ["image_embeds"],
    );
    return splitRows(out.image_embeds, pixels.length, this.info.embedDim, "vision image_embeds", true);
  }

  private async runLlm(captions: CaptionTokens[]): Promise<Float32Array[]> {
    this.count("llm", captions.length);
    const out = await this.parts.sessions.llm.run(llmFeeds(this.parts.tokenizer.pad(captions)), ["features"]);
    return splitRows(out.features, captions.length, this.info.featureDim, "llm features", false);
  }

  private async runAdapter(features: Float32Array[]): Promise<Float32Array[]> {
    this.count("adapter", features.length);
    const out = await this.parts.sessions.adapter.run(
      { features: { data: concat(features), dims: [features.length, this.info.featureDim] } },
      ["text_embeds"],
    );
    return splitRows(out.text_embeds, features.length, this.info.embedDim, "adapter text_embeds", true);
  }
}
