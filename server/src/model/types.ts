// What the daemon serves, independent of where it runs (ORT, execution provider) and of the transport (gRPC).

export interface AltTextThresholds {
  good: number;
  mismatch: number;
}

export interface ModelDescription {
  name: string;
  /** The folder the model was loaded from. */
  dir: string;
  embedDim: number;
  featureDim: number;
  imageSize: number;
  maxTokens: number;
  logitScale: number;
  device: "cpu" | "cuda";
  precision: "float32" | "float16";
  altTextThresholds: AltTextThresholds;
  /** Absolute path of the caption bank, when the manifest names one. */
  captionBankPath?: string;
  selfCheck?: { imagePath: string; captions: string[] };
  /** What the model was calibrated on, and images from that domain it was not trained on (absolute paths). */
  domain?: { description: string; imagePaths: string[]; outsideCaptions: string[] };
}

export interface ImageEmbedding {
  /** L2-normalised, embedDim wide. */
  embedding: Float32Array;
  /** Size of the decoded image, before preprocessing. */
  width: number;
  height: number;
}

export interface TextEncoding {
  /** L2-normalised, embedDim wide. */
  embedding: Float32Array;
  /** The pooled LLM features, featureDim wide. */
  features: Float32Array;
  truncated: boolean;
  tokenCount: number;
  /** The LLM features came from the cache; only the adapter ran. */
  cached: boolean;
}

/**
 * A loaded LLM2CLIP model. Calls are per item; the implementation coalesces concurrent calls into batches.
 * Errors are Llm2ClipError (see ../errors.ts). An aborted signal stops work that has not started.
 */
export interface Llm2ClipModel {
  readonly info: ModelDescription;
  embedImage(bytes: Uint8Array, signal?: AbortSignal): Promise<ImageEmbedding>;
  embedText(text: string, signal?: AbortSignal): Promise<TextEncoding>;
  close(): Promise<void>;
}
