// Bundles check.ts into one CommonJS file that travels to the GPU machine (../shared/gpu/README.md): only
// onnxruntime-node stays external, provided there by the kit's NODE_PATH.
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const outfile = process.argv[2] ?? path.join(here, "../.artifacts/gpu/check.cjs");
await build({ entryPoints: [path.join(here, "check.ts")], outfile, bundle: true, platform: "node", target: "node20", format: "cjs", external: ["onnxruntime-node"], logLevel: "warning" });
console.log(outfile);
