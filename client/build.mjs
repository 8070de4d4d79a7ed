// Bundles the llm2clip CLI into one CommonJS file, dist/llm2clip.js (the package's bin).
// `node build.mjs --outdir <dir>` builds it elsewhere (the tests build their own copy); the directory must lie inside
// the repository, so that the external packages resolve from node_modules.
import { chmodSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist" } } });
const here = import.meta.dirname;
const outdir = path.resolve(here, values.outdir);

await build({
  entryPoints: { llm2clip: path.join(here, "src/cli/llm2clip.ts") },
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node" },
  external: ["@grpc/*"],
  logLevel: "warning",
});
// The package's bin: npm links it at install time, before it exists to be made executable.
chmodSync(path.join(outdir, "llm2clip.js"), 0o755);
