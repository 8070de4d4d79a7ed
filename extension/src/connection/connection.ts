// The extension's one link to llm2clipd: builds the gRPC client from the settings, keeps it connected with backoff,
// starts a local daemon when asked (or automatically for a loopback address) and tells the rest of the extension.
import { connectivityState, credentials, Metadata, status, type CallOptions, type ClientUnaryCall, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipClient, type ModelInfo } from "@llm2clip/proto";
import { withRetries } from "@llm2clip/client";
import * as fs from "node:fs";
import * as vscode from "vscode";
import { parseServerAddress, type ServerAddress } from "./address";
import { backoffDelay } from "./backoff";
import { daemonArguments, resolveDaemonCommand } from "./daemon-command";
import { disposeAll } from "../shared/dispose-all";
import { LocalDaemon } from "./local-daemon";

export type ConnectionState =
  | { kind: "connecting"; target: string }
  | { kind: "connected"; target: string; model: ModelInfo }
  | { kind: "unreachable"; target: string; reason: string; retryInMs: number }
  | { kind: "misconfigured"; reason: string };

type UnaryCallback<T> = (error: ServiceError | null, response: T) => void;

const TOKEN_SECRET = "llm2clip.token";
const PROBE_DEADLINE_MS = 5_000;
/**
 * Auto-starts allowed before a daemon of ours has served. A daemon started while the previous window's daemon still
 * holds the port or the data folder (a window reload: that one gets up to 5 s to finish its calls) exits at once; the
 * next start waits longer each time (backoffDelay: about 0.5, 1, 2, 4 and 8 s), which outlasts that grace.
 */
const MAX_AUTO_STARTS = 6;
/** Large enough for a sync's manifest and chunks; the daemon enforces its own limit and says so. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export class DaemonConnection implements vscode.Disposable {
  private client: Llm2ClipClient | undefined;
  private address: ServerAddress | undefined;
  private token: string | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Auto-starts since a daemon of ours last served, and the earliest time for the next one. */
  private autoStarts = 0;
  private nextAutoStartAt = 0;
  private unreachableShown = false;
  private disposed = false;
  private daemonStopped: Promise<void> = Promise.resolve();
  private current: ConnectionState = { kind: "misconfigured", reason: "not started" };
  private readonly daemon: LocalDaemon;
  private readonly changed = new vscode.EventEmitter<ConnectionState>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  readonly onDidChangeState = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.daemon = new LocalDaemon(log);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("llm2clip.server") || event.affectsConfiguration("llm2clip.tls")) this.restart();
      }),
      context.secrets.onDidChange(async (event) => {
        if (event.key !== TOKEN_SECRET) return;
        this.token = await context.secrets.get(TOKEN_SECRET);
        this.restart();
      }),
    );
  }

  get state(): ConnectionState {
    return this.current;
  }

  get model(): ModelInfo | undefined {
    return this.current.kind === "connected" ? this.current.model : undefined;
  }

  async start(): Promise<void> {
    this.token = await this.context.secrets.get(TOKEN_SECRET);
    this.restart();
  }

  /** Drops the channel and connects again from scratch, e.g. after a settings change. */
  restart(): void {
    if (this.disposed) return;
    this.client?.close();
    this.client = undefined;
    this.attempt = 0;
    this.unreachableShown = false;
    this.connect();
  }

  async setToken(): Promise<void> {
    const token = await vscode.window.showInputBox({
      title: "LLM2CLIP daemon token",
      prompt: "The bearer token llm2clipd was started with. It is kept in the editor's secret storage. Leave empty to remove it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token === "") await this.context.secrets.delete(TOKEN_SECRET);
    else await this.context.secrets.store(TOKEN_SECRET, token);
  }

  /** Starts llm2clipd on the configured loopback address, with the configured model, then connects to it. */
  startDaemon(): void {
    if (!this.address) {
      void vscode.window.showErrorMessage(`LLM2CLIP: ${this.current.kind === "misconfigured" ? this.current.reason : "no server address"}`);
      return;
    }
    const config = vscode.workspace.getConfiguration("llm2clip.daemon");
    const command = resolveDaemonCommand({
      setting: config.get<string>("path", ""),
      extensionPath: this.context.extensionPath,
      nodePath: process.execPath,
      exists: (file) => fs.existsSync(file),
    });
    const args = daemonArguments(this.address.target, config.get<string>("model", ""), config.get<string[]>("args", []));
    this.daemon.start(command, args, (reason) => {
      this.log.warn(`local daemon ${reason}`);
      // Probe now rather than wait for the channel to notice: the probe's failure restarts a daemon that had served.
      this.connect();
    });
    this.attempt = 0;
    this.connect();
  }

  /**
   * Runs a unary RPC with the token attached, retried while the daemon answers RESOURCE_EXHAUSTED with a retry hint.
   * Rejects when not connected; an UNAVAILABLE failure starts reconnecting.
   */
  unary<T>(invoke: (client: Llm2ClipClient, metadata: Metadata, options: Partial<CallOptions>, callback: UnaryCallback<T>) => ClientUnaryCall, timeoutMs = 60_000): Promise<T> {
    const client = this.connectedClient();
    const attempt = () =>
      new Promise<T>((resolve, reject) => {
        invoke(client, this.metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response)));
      });
    return withRetries(attempt).catch((error: ServiceError) => {
      this.noteFailure(error);
      throw error;
    });
  }

  /** The client for streaming calls; throws when not connected. */
  connectedClient(): Llm2ClipClient {
    if (this.current.kind !== "connected" || !this.client) throw new Error("LLM2CLIP is not connected to a daemon");
    return this.client;
  }

  metadata(): Metadata {
    const metadata = new Metadata();
    if (this.token) metadata.set("authorization", `Bearer ${this.token}`);
    return metadata;
  }

  /** Streaming callers report their errors here so that a lost daemon is noticed. */
  noteFailure(error: unknown): void {
    if ((error as Partial<ServiceError>).code === status.UNAVAILABLE && this.current.kind === "connected") {
      this.log.warn(`lost the daemon: ${(error as Error).message}`);
      this.connect();
    }
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    if (this.disposed) return;
    try {
      this.address = parseServerAddress(vscode.workspace.getConfiguration("llm2clip").get<string>("server", "127.0.0.1:50051"));
      this.client ??= new Llm2ClipClient(this.address.target, this.channelCredentials(), {
        "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
        "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
        // grpc-js's own reconnect backoff grows to 120 s and fails calls fast meanwhile; keep it below ours.
        "grpc.initial_reconnect_backoff_ms": 250,
        "grpc.max_reconnect_backoff_ms": 5_000,
      });
    } catch (error) {
      this.setState({ kind: "misconfigured", reason: (error as Error).message });
      return;
    }
    const { client, address } = this;
    if (this.current.kind !== "unreachable") this.setState({ kind: "connecting", target: address.target });
    client.getModelInfo({}, this.metadata(), { deadline: Date.now() + PROBE_DEADLINE_MS }, (error, model) => {
      if (client !== this.client) return;
      if (error) {
        this.onProbeFailed(error, address);
        return;
      }
      this.attempt = 0;
      this.unreachableShown = false;
      // A daemon of ours that served may be started again at once if it dies.
      if (this.daemon.running) this.autoStarts = 0;
      this.log.info(`connected to ${address.target}: model ${model.name} on ${model.device} (${model.precision}), D=${model.embedDim}`);
      this.setState({ kind: "connected", target: address.target, model });
      this.watchChannel(client);
    });
  }

  private onProbeFailed(error: ServiceError, address: ServerAddress): void {
    const reason = error.code === status.UNAVAILABLE ? "unavailable" : `${status[error.code] ?? error.code}: ${error.details || error.message}`;
    const autoStart = vscode.workspace.getConfiguration("llm2clip.daemon").get<boolean>("autoStart", true);
    const mayAutoStart = error.code === status.UNAVAILABLE && autoStart && address.loopback && this.autoStarts < MAX_AUTO_STARTS;
    if (mayAutoStart && !this.daemon.running && Date.now() >= this.nextAutoStartAt) {
      this.nextAutoStartAt = Date.now() + backoffDelay(this.autoStarts);
      this.autoStarts++;
      this.log.info(`no daemon at ${address.target}; llm2clip.daemon.autoStart starts one${this.autoStarts > 1 ? ` (attempt ${this.autoStarts} of ${MAX_AUTO_STARTS})` : ""}`);
      this.startDaemon();
      return;
    }
    const retryInMs = backoffDelay(this.attempt++);
    this.log.warn(`cannot reach ${address.target} (${reason}); retrying in ${retryInMs} ms`);
    this.setState({ kind: "unreachable", target: address.target, reason, retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    // While auto-starts remain, the daemon is on its way: no need to ask the user.
    if (!this.unreachableShown && !this.daemon.running && !mayAutoStart) {
      this.unreachableShown = true;
      void this.offerHelp(address, error);
    }
  }

  private async offerHelp(address: ServerAddress, error: ServiceError): Promise<void> {
    const unauthenticated = error.code === status.UNAUTHENTICATED || error.code === status.PERMISSION_DENIED;
    const actions = unauthenticated ? ["Set Token", "Show Log"] : address.loopback ? ["Start Daemon", "Open Settings", "Show Log"] : ["Open Settings", "Show Log"];
    const message = unauthenticated
      ? `LLM2CLIP: the daemon at ${address.target} refused the token (${error.details}).`
      : `LLM2CLIP: cannot reach the daemon at ${address.target}. Image search and alt-text checks need it.`;
    const choice = await vscode.window.showWarningMessage(message, ...actions);
    if (choice === "Start Daemon") this.startDaemon();
    else if (choice === "Set Token") await this.setToken();
    else if (choice === "Open Settings") await vscode.commands.executeCommand("workbench.action.openSettings", "llm2clip");
    else if (choice === "Show Log") this.log.show();
  }

  /**
   * Notices a daemon that goes away between calls. grpc-js moves a channel whose connection closed to IDLE, so IDLE
   * asks it to reconnect; TRANSIENT_FAILURE then means the daemon is gone.
   */
  private watchChannel(client: Llm2ClipClient): void {
    const channel = client.getChannel();
    const watch = (from: connectivityState) => {
      channel.watchConnectivityState(from, Infinity, () => {
        if (client !== this.client) return;
        let now = channel.getConnectivityState(false);
        if (now === connectivityState.IDLE) now = channel.getConnectivityState(true);
        if (now === connectivityState.TRANSIENT_FAILURE || now === connectivityState.SHUTDOWN) {
          if (this.current.kind === "connected") {
            this.log.warn(`connection to ${this.address?.target} lost`);
            this.connect();
          }
          return;
        }
        watch(now);
      });
    };
    watch(channel.getConnectivityState(false));
  }

  private channelCredentials() {
    const tls = vscode.workspace.getConfiguration("llm2clip.tls");
    if (!tls.get<boolean>("enabled", false)) return credentials.createInsecure();
    const caFile = tls.get<string>("caFile", "");
    return credentials.createSsl(caFile ? fs.readFileSync(caFile) : null);
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.changed.fire(state);
  }

  /**
   * Stops the daemon this extension started (one another process started is left alone) and closes the channel. Never
   * throws, and writes nothing to the log, which the editor may already have closed.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.retryTimer);
    // Cleared before close(): closing fires the channel's state watcher, which must see a connection that is gone.
    const client = this.client;
    this.client = undefined;
    this.daemonStopped = this.daemon.stop();
    const errors = disposeAll([{ dispose: () => client?.close() }, ...this.disposables]);
    for (const error of errors) console.error("LLM2CLIP: disposing the daemon connection:", error);
  }

  /** Resolves once the daemon that dispose() stopped has exited; the extension's deactivate waits for it. */
  get stopped(): Promise<void> {
    return this.daemonStopped;
  }
}
