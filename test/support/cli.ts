// Runs the llm2clip CLI as a user would: its esbuild bundle in a child process. Each test process builds the bundle
// once, under client/dist/, and removes it at exit.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./daemon";

let bundle: string | undefined;

export function cliBundle(): string {
  if (bundle !== undefined) return bundle;
  mkdirSync(path.join(REPO_ROOT, "client", "dist"), { recursive: true });
  const outdir = mkdtempSync(path.join(REPO_ROOT, "client", "dist", ".test-cli-"));
  process.once("exit", () => rmSync(outdir, { recursive: true, force: true }));
  execFileSync(process.execPath, ["build.mjs", "--outdir", outdir, "--only", "cli"], { cwd: path.join(REPO_ROOT, "client"), stdio: "pipe" });
  bundle = path.join(outdir, "llm2clip.js");
  return bundle;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `llm2clip args...` in `cwd`; LLM2CLIP_TOKEN is cleared unless `env` sets it. */
export function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliBundle(), ...args], { cwd, env: { ...process.env, LLM2CLIP_TOKEN: undefined, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
