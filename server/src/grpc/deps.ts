import type { Llm2ClipModel } from "../model/types";
import type { OcrEngine } from "../ocr/engine";

export interface ServiceLimits {
  maxMessageBytes: number;
  maxImagePixels: number;
  maxCaptions: number;
  maxTexts: number;
  maxTopK: number;
  /** Bytes of image chunks that one EmbedImages stream may hold before its images are embedded. */
  maxStreamBufferBytes: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What the RPC handlers are built from. */
export interface ServiceDeps {
  model: Llm2ClipModel;
  limits: ServiceLimits;
  /** Where collections and caches persist. */
  dataDir: string;
  log: Logger;
  /** Reads the text of synced images when given (llm2clipd --ocr on). */
  ocr?: OcrEngine;
}
