// Starts a real llm2clipd (the esbuild bundle, in a child process) on a free loopback port, for tests that talk to it
// through real gRPC clients. Each test file builds its own bundle once, under server/dist/.test-*, and removes it when done.
//
//   const daemon = await startDaemon(["--max-captions", "4"]);      // waits for "listening on"
//   const client = daemon.client();                                  // Llm2ClipClient, insecure (or { ca, token })
//   const info = await unary<ModelInfo>((done) => client.getModelInfo({}, daemon.metadata(), done));
//   await daemon.stop();                                             // SIGTERM; resolves with the exit code
//
// runDaemon(args) runs one that is expected to exit by itself (bad flags, a wrong model folder) and returns its output.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipClient } from "@llm2clip/proto";
import { afterAll } from "vitest";

export const REPO_ROOT = path.resolve(__dirname, "../..");
const SERVER_DIR = path.join(REPO_ROOT, "server");

/** The model a daemon started without --model serves: the embedded tiny LLM2CLIP. */
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, "models/tiny-llm2clip");
const START_TIMEOUT_MS = 90_000;

let bundleDir: string | undefined;

// vitest evaluates this module once per test file: each file's bundle goes when the file is done.
afterAll(() => {
  if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
});

/** The daemon bundle of this test file, built on first use. */
export function daemonBundle(): string {
  if (bundleDir === undefined) {
    mkdirSync(path.join(SERVER_DIR, "dist"), { recursive: true });
    const outdir = mkdtempSync(path.join(SERVER_DIR, "dist", ".test-"));
    execFileSync(process.execPath, ["build.mjs", "--outdir", outdir, "--entry", "llm2clipd", "--entry", "decode-worker"], { cwd: SERVER_DIR, stdio: "pipe" });
    bundleDir = outdir;
  }
  return path.join(bundleDir, "llm2clipd.js");
}

export interface DaemonRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ClientOptions {
  /** PEM of the CA (or self-signed certificate) to trust; connects with TLS when set. */
  ca?: Buffer;
}

export class RunningDaemon {
  private out = "";
  private err = "";
  readonly exited: Promise<DaemonRun>;
  /** host:port the daemon listens on, as it printed it. */
  address = "";

  constructor(
    readonly process: ChildProcess,
    /** The data directory the daemon was given (a fresh temporary one unless --data-dir was passed). */
    readonly dataDir: string,
    private readonly token?: string,
  ) {
    process.stdout!.on("data", (chunk: Buffer) => (this.out += chunk.toString()));
    process.stderr!.on("data", (chunk: Buffer) => (this.err += chunk.toString()));
    this.exited = new Promise((resolve) =>
      process.once("close", (code, signal) => resolve({ code, signal, stdout: this.out, stderr: this.err })),
    );
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get port(): number {
    return Number(this.address.slice(this.address.lastIndexOf(":") + 1));
  }

  /** A client on loopback; with `ca`, over TLS to "localhost", the name the test certificate carries (see tlsAddress). */
  client(options: ClientOptions = {}): Llm2ClipClient {
    if (options.ca === undefined) return new Llm2ClipClient(this.address, credentials.createInsecure());
    return new Llm2ClipClient(this.tlsAddress, credentials.createSsl(options.ca));
  }

  /**
   * The loopback address by name. grpc-js sends the target's host as the TLS server name, and an IP address there is
   * against RFC 6066 (Node's DEP0123 warning; grpc/grpc-node#1919), so TLS clients connect to localhost.
   */
  get tlsAddress(): string {
    return `localhost:${this.port}`;
  }

  /** Call metadata carrying the daemon's token, when it was started with one. */
  metadata(token = this.token): Metadata {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
    return metadata;
  }

  /** Resolves once the daemon's stderr log matches `pattern`. */
  async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.err);
      if (match !== null) return match[0];
      if (Date.now() > deadline) throw new Error(`no log line matched ${pattern} within ${timeoutMs} ms; stderr:\n${this.err}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<DaemonRun> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill("SIGTERM");
    return this.exited;
  }
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** The token the daemon requires, added to metadata() (also pass --token or LLM2CLIP_TOKEN to the daemon). */
  token?: string;
}

// What this test process leaves for its exit: the data folders it made, and daemons still running because a test failed
// before stop(). One "exit" listener for all of them, however many daemons a file starts.
const scratchDataDirs = new Set<string>();
const liveDaemons = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveDaemons) child.kill("SIGKILL");
  for (const dir of scratchDataDirs) rmSync(dir, { recursive: true, force: true });
});

function spawnDaemon(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; dataDir: string } {
  const given = args.includes("--data-dir");
  const dataDir = given ? args[args.indexOf("--data-dir") + 1] : mkdtempSync(path.join(os.tmpdir(), "llm2clipd-data-"));
  if (!given) scratchDataDirs.add(dataDir);
  const fullArgs = given ? [...args] : [...args, "--data-dir", dataDir];
  const child = spawn(process.execPath, ["--enable-source-maps", daemonBundle(), ...fullArgs], {
    env: { ...process.env, LLM2CLIP_TOKEN: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  liveDaemons.add(child);
  child.once("exit", () => liveDaemons.delete(child));
  return { child, dataDir };
}

/** Starts a daemon on a free loopback port (unless args set --listen) and waits until it prints "listening on". */
export async function startDaemon(args: readonly string[] = [], options: StartOptions = {}): Promise<RunningDaemon> {
  const listen = args.includes("--listen") ? [] : ["--listen", "127.0.0.1:0"];
  const { child, dataDir } = spawnDaemon([...listen, ...args], options.env);
  const daemon = new RunningDaemon(child, dataDir, options.token);
  const started = Date.now();
  for (;;) {
    const match = /^listening on (\S+)/m.exec(daemon.stdout);
    if (match !== null) {
      daemon.address = match[1];
      return daemon;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const run = await daemon.exited;
      throw new Error(`llm2clipd exited (${run.code ?? run.signal}) before listening:\n${run.stderr}`);
    }
    if (Date.now() - started > START_TIMEOUT_MS) {
      await daemon.stop();
      throw new Error(`llm2clipd did not listen within ${START_TIMEOUT_MS} ms:\n${daemon.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs a daemon expected to exit by itself and returns its exit status and output. */
export async function runDaemon(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<DaemonRun> {
  const { child, dataDir } = spawnDaemon(args, env);
  const run = await new RunningDaemon(child, dataDir).exited;
  return run;
}

/** Promisifies one unary call: `unary<ModelInfo>((done) => client.getModelInfo({}, done))`. */
export function unary<Response>(invoke: (done: (error: ServiceError | null, response: Response) => void) => void): Promise<Response> {
  return new Promise((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));
}

/** The ServiceError a call failed with; fails the test when it succeeded. */
export async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
