// `npm run bench [-- --quick] [-- --model <dir>]`: bundles the benchmark (it imports the daemon's TypeScript runtime
// in-process as peer (a)) and runs it. Native packages stay external, as in server/build.mjs.
// `npm run bench:lint-alt [-- --quick]` (`run.mjs lint-alt`) does the same with lint-alt.ts, and `npm run bench:decode`
// (`run.mjs decode`) with decode.ts.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const NAMED = ["lint-alt", "decode"];
const [entry, args] = NAMED.includes(process.argv[2]) ? [process.argv[2], process.argv.slice(3)] : ["bench", process.argv.slice(2)];
const outfile = path.join(here, `../.artifacts/${entry}.cjs`);
await build({
  entryPoints: [path.join(here, `${entry}.ts`)],
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
execFileSync(process.execPath, ["--expose-gc", outfile, ...args], { stdio: "inherit" });
