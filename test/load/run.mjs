// `npm run load [-- --seconds 20] [-- --clients 64]`: bundles the load and fault script (it reuses the tests' daemon
// helper) and runs it; `npm run load:record` also writes test/load/results.md. `run.mjs stream-memory` runs
// stream-memory.ts instead: the three memory attacks, with the RSS they cost.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const entry = process.argv[2] === "stream-memory" ? "stream-memory" : "load";
const args = process.argv.slice(entry === "load" ? 2 : 3);
const outfile = path.join(here, `../.artifacts/${entry}.cjs`);
await build({
  entryPoints: [path.join(here, `${entry}.ts`)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  alias: { vitest: path.join(here, "../bench/vitest-shim.ts") },
  external: ["onnxruntime-node", "sharp", "better-sqlite3", "@grpc/*", "grpc-health-check", "@huggingface/tokenizers", "@llm2clip/proto/package.json"],
  logLevel: "warning",
});
execFileSync(process.execPath, [outfile, ...args], { stdio: "inherit" });
