// A llm2clipd child process started by the extension, with its output in the log. It lives as long as the extension:
// stop() ends it (SIGTERM, then SIGKILL after a grace period), and the daemon itself exits when the extension host
// that started it is gone (LLM2CLIP_PARENT_PID), so a killed editor leaves no daemon behind either.
import { spawn, type ChildProcess } from "node:child_process";
import type { DaemonCommand } from "./daemon-command";

export interface LineLog {
  info(message: string): void;
  warn(message: string): void;
}

/** How long a daemon may take to finish its in-flight calls after SIGTERM: a little over llm2clipd's own 5 s grace. */
export const STOP_GRACE_MS = 6_000;

export class LocalDaemon {
  private child: ChildProcess | undefined;

  constructor(private readonly log: LineLog) {}

  get running(): boolean {
    return this.child !== undefined && isAlive(this.child);
  }

  /** The daemon's process id while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  start(command: DaemonCommand, extraArgs: string[], onExit: (reason: string) => void): void {
    if (this.running) return;
    const args = [...command.args, ...extraArgs];
    this.log.info(`starting daemon (${command.source}): ${command.command} ${args.join(" ")}`);
    // ELECTRON_RUN_AS_NODE: the extension host may be Electron; this makes it behave as plain Node for a `.js` daemon.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: "1", LLM2CLIP_PARENT_PID: String(process.pid) };
    const child = spawn(command.command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const forward = (stream: NodeJS.ReadableStream | null) => {
      let pending = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => {
        const lines = (pending + text).split(/\r?\n/);
        pending = lines.pop() ?? "";
        if (this.child === child) for (const line of lines) if (line) this.log.info(`[llm2clipd] ${line}`);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    // Once stop() let go of the child, its end is expected: nothing is logged or reported.
    child.on("error", (error) => {
      if (this.child !== child) return;
      this.log.warn(`daemon could not start: ${error.message}`);
      onExit(error.message);
    });
    child.on("exit", (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.log.warn(`daemon ${reason}`);
      onExit(reason);
    });
  }

  /** Ends the daemon: SIGTERM, then SIGKILL if it still runs after `graceMs`. Resolves once it has exited. */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || !isAlive(child)) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
