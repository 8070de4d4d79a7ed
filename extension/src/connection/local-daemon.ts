// A llm2clipd child process started by the extension, with its output in the log. It lives as long as the extension.
import { spawn, type ChildProcess } from "node:child_process";
import type { DaemonCommand } from "./daemon-command";

export interface LineLog {
  info(message: string): void;
  warn(message: string): void;
}

export class LocalDaemon {
  private child: ChildProcess | undefined;

  constructor(private readonly log: LineLog) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(command: DaemonCommand, extraArgs: string[], onExit: (reason: string) => void): void {
    if (this.running) return;
    const args = [...command.args, ...extraArgs];
    this.log.info(`starting daemon (${command.source}): ${command.command} ${args.join(" ")}`);
    // The extension host may be Electron; this makes it behave as plain Node for a `.js` daemon.
    const child = spawn(command.command, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const forward = (stream: NodeJS.ReadableStream | null) => {
      let pending = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => {
        const lines = (pending + text).split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const line of lines) if (line) this.log.info(`[llm2clipd] ${line}`);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.on("error", (error) => {
      this.log.warn(`daemon could not start: ${error.message}`);
      onExit(error.message);
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.log.warn(`daemon ${reason}`);
      onExit(reason);
    });
  }

  stop(): void {
    this.child?.kill("SIGTERM");
    this.child = undefined;
  }
}
