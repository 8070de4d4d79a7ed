// Bundles the daemon and the CLI into single CommonJS files. Native and WASM-heavy packages stay external:
// bundling sharp or onnxruntime-node breaks their binary loading at run time.
// `node build.mjs --outdir <dir> --entry llm2clipd` builds one entry point elsewhere than dist/ (the tests build their own
// copy of the daemon); the directory must lie inside the repository, so that the external packages resolve from node_modules.
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const ENTRY_POINTS = { llm2clipd: "src/llm2clipd.ts", llm2clip: "src/llm2clip.ts" };
const { values } = parseArgs({
  options: {
    outdir: { type: "string", default: "dist" },
    entry: { type: "string", multiple: true, default: Object.keys(ENTRY_POINTS) },
  },
});
const here = import.meta.dirname;

// onnxruntime-node is CommonJS compiled from TypeScript: it marks itself `__esModule` but has no `default` export, so a
// default import (`import ort from "onnxruntime-node"`, which Node and vitest resolve to module.exports) is undefined in
// an esbuild CommonJS bundle. This shim gives the bundle Node's own interop for it.
const nodeDefaultInterop = {
  name: "node-default-interop",
  setup(build) {
    build.onResolve({ filter: /^onnxruntime-node$/ }, (args) =>
      args.namespace === "node-default-interop" ? { path: args.path, external: true } : { path: args.path, namespace: "node-default-interop" },
    );
    build.onLoad({ filter: /.*/, namespace: "node-default-interop" }, (args) => ({
      contents: `const m = require(${JSON.stringify(args.path)}); module.exports = { ...m, default: m };`,
      resolveDir: here,
    }));
  },
};

await build({
  entryPoints: Object.fromEntries(values.entry.map((name) => [name, path.join(here, ENTRY_POINTS[name])])),
  outdir: path.resolve(here, values.outdir),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node" },
  // @llm2clip/proto/package.json stays external so that require.resolve finds the .proto files for reflection at run time.
  external: ["onnxruntime-node", "sharp", "better-sqlite3", "@grpc/*", "grpc-health-check", "@huggingface/tokenizers", "@llm2clip/proto/package.json"],
  plugins: [nodeDefaultInterop],
  logLevel: "warning",
});
