#!/usr/bin/env node
// Opt-in: installs ONNX Runtime's CUDA execution provider into onnxruntime-node.
//
// onnxruntime-node's own CUDA download comes from a feed that many machines cannot reach, so the provider libraries
// are taken from an npm package that ships them for linux-x64. A provider only loads into the exact ORT build it was
// compiled against, so each supported onnxruntime-node version maps to one provider package version, and anything
// else is refused rather than installed and left to crash at session creation.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

/** onnxruntime-node version -> npm package shipping the CUDA provider built for exactly that ORT (CUDA 13, cuDNN 9). */
export const CUDA_PROVIDER_FOR_ORT = {
  "1.29.0": { name: "com.github.asus4.onnxruntime.linux-x64-gpu", version: "0.4.9" },
};

const PROVIDER_LIBS = ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"];

/** Decides what to install, or why not. Pure, so the refusals are testable on any machine. */
export function planCudaSetup({ platform, arch, ortVersion }) {
  if (platform !== "linux" || arch !== "x64") {
    return { refuse: `setup:cuda supports linux-x64 only; this is ${platform}-${arch}. On other platforms run on the CPU (--device cpu).` };
  }
  const provider = CUDA_PROVIDER_FOR_ORT[ortVersion];
  if (!provider) {
    const supported = Object.keys(CUDA_PROVIDER_FOR_ORT).join(", ");
    return {
      refuse:
        `onnxruntime-node ${ortVersion} is installed, but a CUDA provider is known only for onnxruntime-node ${supported}: ` +
        `a provider built for another ORT version does not load. Install onnxruntime-node@${supported} (the version package.json pins).`,
    };
  }
  return { provider };
}

function installedOrtDir() {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("onnxruntime-node/package.json"));
}

function main() {
  const { values } = parseArgs({
    options: { "ort-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log("usage: npm run setup:cuda [-- --ort-dir <onnxruntime-node folder>]");
    return 0;
  }
  const ortDir = values["ort-dir"] ?? installedOrtDir();
  const ortVersion = JSON.parse(readFileSync(join(ortDir, "package.json"), "utf8")).version;
  const plan = planCudaSetup({ platform: process.platform, arch: process.arch, ortVersion });
  if (plan.refuse) {
    console.error(`setup:cuda refused: ${plan.refuse}`);
    return 2;
  }
  const { name, version } = plan.provider;
  const work = mkdtempSync(join(tmpdir(), "llm2clip-cuda-"));
  try {
    console.log(`fetching ${name}@${version} (about 180 MB) ...`);
    const tarball = execFileSync("npm", ["pack", "--silent", `${name}@${version}`], { cwd: work, encoding: "utf8" }).trim();
    execFileSync("tar", ["xzf", tarball, "package/Plugins/Linux/x64"], { cwd: work });
    const libDir = join(work, "package/Plugins/Linux/x64");
    const cudaLib = readFileSync(join(libDir, PROVIDER_LIBS[0]));
    const [major, minor] = ortVersion.split(".");
    if (!cudaLib.includes(Buffer.from(`${major}.${minor}`))) {
      console.error(`setup:cuda refused: ${name}@${version} does not carry ORT ${major}.${minor}; nothing was installed.`);
      return 2;
    }
    const target = join(ortDir, "bin/napi-v6/linux/x64");
    if (!existsSync(target)) {
      console.error(`setup:cuda refused: ${target} does not exist; is onnxruntime-node installed for linux-x64?`);
      return 2;
    }
    for (const lib of PROVIDER_LIBS) copyFileSync(join(libDir, lib), join(target, lib));
    console.log(`installed the CUDA execution provider for onnxruntime-node ${ortVersion} into ${target}`);
    console.log("it needs CUDA 13 and cuDNN 9 libraries on LD_LIBRARY_PATH; then start the daemon with --device cuda (or auto).");
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
