// Bundles the extension into one CommonJS file. `vscode` is provided by the editor; everything else, @grpc/grpc-js
// and the shared alt-text reference finder included, is bundled so that the .vsix needs no node_modules.
import { build } from "esbuild";

await build({
  entryPoints: { extension: "src/extension.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  minify: true,
  // @llm2clip/client is bundled from its sources (client/package.json).
  conditions: ["llm2clip-source"],
  external: ["vscode"],
  logLevel: "warning",
});
