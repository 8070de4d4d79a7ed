// A real VS Code for the end-to-end tests: code-server 4.100.3 (VS Code 1.100.3), installed once into a cache folder
// by ../setup-code-server.sh, started detached on a free loopback port with its own HOME, user data and extensions.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const SETUP_SCRIPT = path.resolve(__dirname, "../setup-code-server.sh");
const START_TIMEOUT_MS = 60_000;

/** Installs code-server when the cache lacks it, and returns its binary. */
export function codeServerBinary(): string {
  const output = execFileSync("bash", [SETUP_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 });
  return output.trim().split("\n").pop()!;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  /** Scratch folder for HOME, user data and extensions. */
  root: string;
  /** The .vsix files to install. */
  extensions: string[];
  /** User settings.json. */
  settings: Record<string, unknown>;
}

export class CodeServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const binary = codeServerBinary();
    const home = path.join(options.root, "home");
    const userData = path.join(options.root, "user-data");
    const extensionsDir = path.join(options.root, "extensions");
    mkdirSync(path.join(userData, "User"), { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify(options.settings, null, 2));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_DATA_HOME: path.join(home, ".local", "share") };
    const dirs = ["--user-data-dir", userData, "--extensions-dir", extensionsDir];
    for (const vsix of options.extensions) {
      execFileSync(binary, [...dirs, "--install-extension", vsix], { env, stdio: "pipe", timeout: 120_000 });
    }
    const port = await freePort();
    const args = ["--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", ...dirs];
    const child = spawn(binary, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const server = new CodeServer(child, `http://127.0.0.1:${port}`, () => log);
    await server.waitUntilHealthy();
    return server;
  }

  get log(): string {
    return this.output();
  }

  /** The workbench URL that opens `folder`. */
  folderUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  private async waitUntilHealthy(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`code-server exited with ${this.child.exitCode}:\n${this.log}`);
      const healthy = await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false);
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`code-server did not answer within ${START_TIMEOUT_MS} ms:\n${this.log}`);
  }

  /** code-server's own process id (the one a user's `kill` or a service manager signals). */
  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Stops code-server as a user or a service manager does: SIGTERM to its own process only, so that what it started
   * (extension hosts, a daemon an extension spawned) is left to end by itself. Resolves when code-server has exited.
   */
  async terminate(timeoutMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    const timedOut = new Promise((_, reject) => setTimeout(() => reject(new Error(`code-server ignored SIGTERM for ${timeoutMs} ms`)), timeoutMs).unref());
    await Promise.race([exited, timedOut]);
  }

  /** Ends code-server and everything it started (extension hosts, the daemon the extension spawned). */
  async stop(): Promise<void> {
    const exited = this.child.exitCode !== null || this.child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => this.child.once("exit", resolve));
    try {
      process.kill(-this.child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  }
}
