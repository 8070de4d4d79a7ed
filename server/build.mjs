// Bundles the daemon into one CommonJS file. Native and WASM-heavy packages stay external:
// bundling sharp or onnxruntime-node breaks their binary loading at run time.
// `node build.mjs --outdir <dir> --entry llm2clipd` builds one entry point elsewhere than dist/ (the tests build their own
// copy of the daemon); the directory must lie inside the repository, so that the external packages resolve from node_modules.
import { chmodSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

// The decode worker is a second entry: the daemon forks it from beside its own bundle (src/runtime/decode-pool.ts).
const ENTRY_POINTS = { llm2clipd: "src/llm2clipd.ts", "decode-worker": "src/runtime/decode-worker.ts" };
const { values } = parseArgs({
  options: {
    outdir: { type: "string", default: "dist" },
    entry: { type: "string", multiple: true, default: Object.keys(ENTRY_POINTS) },
  },
});
const here = import.meta.dirname;

const outdir = path.resolve(here, values.outdir);
await build({
  entryPoints: Object.fromEntries(values.entry.map((name) => [name, path.join(here, ENTRY_POINTS[name])])),
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node" },
  // @llm2clip/proto/package.json stays external so that require.resolve finds the .proto files for reflection at run time.
  external: ["onnxruntime-node", "sharp", "better-sqlite3", "@grpc/*", "grpc-health-check", "@huggingface/tokenizers", "@llm2clip/proto/package.json"],
  logLevel: "warning",
});
// They are the package's bins (`llm2clipd`): npm links them at install time, before they exist to be made executable.
for (const name of values.entry) chmodSync(path.join(outdir, `${name}.js`), 0o755);
