// Bundles the daemon and the CLI into single CommonJS files. Native and WASM-heavy packages stay external:
// bundling sharp or onnxruntime-node breaks their binary loading at run time.
import { build } from "esbuild";

await build({
  entryPoints: { llm2clipd: "src/llm2clipd.ts", llm2clip: "src/llm2clip.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node" },
  external: ["onnxruntime-node", "sharp", "better-sqlite3", "@grpc/*", "grpc-health-check", "@huggingface/tokenizers"],
  logLevel: "warning",
});
