import type { Llm2ClipModel } from "../model/types";
import type { OcrEngine } from "../ocr/engine";
import { looksLikeScreenshotOrDiagram, readEveryImage, type OcrSelection } from "../ocr/text-likeness";

export interface ServiceLimits {
  maxMessageBytes: number;
  maxImagePixels: number;
  maxCaptions: number;
  maxTexts: number;
  maxTopK: number;
  /** Bytes one stream may hold: image chunks, manifest entries and alt texts, ids of open images. */
  maxStreamBufferBytes: number;
  /** Bytes all streams together may hold. */
  maxBufferBytes: number;
  /** How long a stream may wait on its client (nothing received, nothing left to answer) before it is ended. */
  streamIdleMs: number;
}

/** How the transport treats connections: idle ones are closed, live ones are pinged. */
export interface ConnectionOptions {
  /** A connection with no call for this long is closed (GOAWAY). */
  idleTimeoutMs: number;
  /** A socket that has not sent the HTTP/2 preface (or, with TLS, its handshake) by then is dropped. */
  handshakeTimeoutMs: number;
  /** The daemon pings each connection after this long without traffic, and drops it if the ping goes unanswered. */
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
  /** Open sockets beyond this are refused at accept. */
  maxConnections: number;
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
  /** Reads the text of synced images when given (llm2clipd --ocr on or auto). */
  ocr?: OcrEngine;
  /** Reads only images that look like screenshots or diagrams (--ocr auto). */
  ocrOnlyScreenshots?: boolean;
}

/** Which decoded images the daemon reads the text of. */
export function ocrSelection(deps: ServiceDeps): OcrSelection {
  return deps.ocrOnlyScreenshots ? looksLikeScreenshotOrDiagram : readEveryImage;
}
