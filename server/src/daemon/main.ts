// llm2clipd's life: parse the flags, refuse an exposed address without TLS and a token, listen, load the model,
// print the self-check, serve until SIGINT or SIGTERM.
import { constants } from "node:fs";
import { access, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Llm2ClipGrpcServer, type TlsFiles } from "../grpc/server";
import { loadModel } from "../model/load";
import { type LoadedOcr, loadOcr } from "../ocr/load";
import type { OnnxLlm2ClipModel } from "../model/llm2clip-model";
import { DecodePool } from "../runtime/decode-pool";
import { DataDirInUseError, lockDataDir, type DataDirLock } from "./data-dir-lock";
import { checkExposure } from "./exposure";
import { createLogger } from "./log";
import { DaemonMetrics } from "./metrics";
import { formatListenAddress, HELP, parseDaemonArgs, UsageError, type DaemonOptions } from "./options";
import { formatSelfCheck, runSelfCheck } from "./self-check";
import { stopSignal } from "./stop-signal";

/** How long running calls may take to finish on shutdown before they are cancelled. */
const SHUTDOWN_GRACE_MS = 5_000;
/** The decode worker's bundle, built beside the daemon's (server/build.mjs). */
const DECODE_WORKER_SCRIPT = path.join(__dirname, "decode-worker.js");

export interface DaemonIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: DaemonIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the daemon until a stop signal; resolves with the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: DaemonIo = processIo): Promise<number> {
  let options: DaemonOptions | undefined;
  let tls: TlsFiles | undefined;
  let dataDirLock: DataDirLock;
  try {
    options = parseDaemonArgs(argv, env);
    if (options === undefined) {
      io.stdout(HELP);
      return 0;
    }
    checkExposure(options);
    tls = options.tls && { cert: await readFlagFile("--tls-cert", options.tls.certPath), key: await readFlagFile("--tls-key", options.tls.keyPath) };
    await createDataDir(options.dataDir);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`llm2clipd: ${error.message}\nRun 'llm2clipd --help' for the options.\n`);
    return 2;
  }
  try {
    dataDirLock = lockDataDir(options.dataDir);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    io.stderr(`llm2clipd: ${error.message}\n`);
    return 1;
  }
  try {
    return await serveUntilStopped(options, tls, io);
  } finally {
    dataDirLock.release();
  }
}

async function serveUntilStopped(options: DaemonOptions, tls: TlsFiles | undefined, io: DaemonIo): Promise<number> {
  const log = createLogger(io.stderr);
  const metrics = options.metrics && new DaemonMetrics();
  const server = new Llm2ClipGrpcServer({
    limits: options.limits,
    token: options.token,
    connections: options.connections,
    interceptors: metrics ? [metrics.interceptor()] : [],
  });
  const address = formatListenAddress(options.listen);
  let port: number;
  try {
    port = await server.listen(options.listen.host, options.listen.port, tls);
  } catch (error) {
    io.stderr(`llm2clipd: cannot listen on ${address}: ${(error as Error).message}\n`);
    return 1;
  }

  let metricsEndpoint: { port: number; close(): Promise<void> } | undefined;
  if (metrics && options.metrics) {
    try {
      metricsEndpoint = await metrics.listen(options.metrics.host, options.metrics.port);
    } catch (error) {
      io.stderr(`llm2clipd: cannot serve metrics on ${formatListenAddress(options.metrics)}: ${(error as Error).message}\n`);
      await server.shutdown(0);
      return 1;
    }
    io.stdout(`metrics on http://${formatListenAddress({ host: options.metrics.host, port: metricsEndpoint.port })}/metrics\n`);
  }

  // The OCR models load beside the embedding model; their error is reported after it.
  const ocrLoading = options.ocr !== "off" ? settle(loadOcr({ modelDir: options.ocrModelDir })) : undefined;
  const loadStarted = performance.now();
  let decodePool: DecodePool;
  try {
    decodePool = await DecodePool.start({
      script: DECODE_WORKER_SCRIPT,
      workers: options.decode.workers,
      timeoutMs: options.decode.timeoutMs,
      timeoutName: "--decode-timeout-ms",
      log,
    });
  } catch (error) {
    await metricsEndpoint?.close();
    io.stderr(`llm2clipd: ${(error as Error).message}\n`);
    await Promise.all([server.shutdown(0), ocrLoading?.then((loaded) => loaded.value?.release())]);
    return 1;
  }
  let model: OnnxLlm2ClipModel;
  try {
    model = await loadModel(options.modelDir, {
      device: options.device,
      cacheDir: path.join(options.dataDir, "cache"),
      maxImagePixels: options.limits.maxImagePixels,
      preprocessor: decodePool,
      batching: { vision: options.batching, llm: options.batching, adapter: options.batching },
      log,
      onBatch: metrics && ((graph, rows) => metrics.observeBatch(graph, rows)),
      idleUnloadMs: options.idleUnloadMs,
      onGraphLoaded: metrics && ((graph, loaded) => metrics.graphLoaded(graph, loaded)),
    });
  } catch (error) {
    await metricsEndpoint?.close();
    io.stderr(`llm2clipd: cannot load the model in ${options.modelDir}: ${(error as Error).message}\n`);
    await Promise.all([server.shutdown(0), decodePool.close(), ocrLoading?.then((loaded) => loaded.value?.release())]);
    return 1;
  }
  metrics?.modelLoaded((performance.now() - loadStarted) / 1000, () => model.stats());
  const { info } = model;

  const loadedOcr = await ocrLoading;
  if (loadedOcr?.error) {
    io.stderr(`llm2clipd: cannot load the OCR models (--ocr ${options.ocr}): ${loadedOcr.error.message}\n`);
    await Promise.all([server.shutdown(0), model.close(), decodePool.close(), metricsEndpoint?.close()]);
    return 1;
  }
  const ocr: LoadedOcr | undefined = loadedOcr?.value;

  try {
    const selfCheck = await runSelfCheck(model);
    if (selfCheck !== undefined) io.stdout(formatSelfCheck(selfCheck, info.dir));
  } catch (error) {
    io.stderr(`llm2clipd: the self-check of ${options.modelDir} failed: ${(error as Error).message}\n`);
    await Promise.all([server.shutdown(0), model.close(), decodePool.close(), ocr?.release(), metricsEndpoint?.close()]);
    return 1;
  }

  server.serve({ model, limits: options.limits, dataDir: options.dataDir, log, ocr: ocr?.engine, ocrOnlyScreenshots: options.ocr === "auto" });
  io.stdout(`listening on ${formatListenAddress({ host: options.listen.host, port })}${tls ? " (TLS)" : ""}\n`);

  const signal = await stopSignal();
  log.info(`${signal}: shutting down`);
  await server.shutdown(SHUTDOWN_GRACE_MS);
  await model.close();
  await Promise.all([decodePool.close(), ocr?.release(), metricsEndpoint?.close()]);
  return 0;
}

/** A promise's outcome, so that a rejection waits without counting as unhandled. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: Error }> {
  return promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );
}

async function readFlagFile(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function createDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--data-dir: cannot use ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
