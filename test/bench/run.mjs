// `npm run bench [-- --quick] [-- --model <dir>]`: bundles the benchmark (it imports the daemon's TypeScript runtime
// in-process as peer (a)) and runs it. Native packages stay external, as in server/build.mjs.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const outfile = path.join(here, "../.artifacts/bench.cjs");
await build({
  entryPoints: [path.join(here, "bench.ts")],
  conditions: ["llm2clip-source"],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  alias: { vitest: path.join(here, "vitest-shim.ts") },
  external: ["onnxruntime-node", "sharp", "better-sqlite3", "@grpc/*", "grpc-health-check", "@huggingface/tokenizers", "@llm2clip/proto/package.json"],
  logLevel: "warning",
});
execFileSync(process.execPath, ["--expose-gc", outfile, ...process.argv.slice(2)], { stdio: "inherit" });
