import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CUDA_PROVIDER_FOR_ORT, planCudaSetup } from "../../scripts/setup-cuda.mjs";

const script = join(__dirname, "../../scripts/setup-cuda.mjs");

function fakeOrtInstall(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ort-"));
  mkdirSync(join(dir, "bin/napi-v6/linux/x64"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "onnxruntime-node", version }));
  return dir;
}

describe("setup:cuda", () => {
  it("knows a provider for the onnxruntime-node version the project pins", () => {
    const pinned = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")).dependencies["onnxruntime-node"];
    expect(Object.keys(CUDA_PROVIDER_FOR_ORT)).toContain(pinned);
    expect(planCudaSetup({ platform: "linux", arch: "x64", ortVersion: pinned }).provider).toEqual(CUDA_PROVIDER_FOR_ORT[pinned]);
  });

  it("refuses another platform", () => {
    for (const [platform, arch] of [["darwin", "arm64"], ["win32", "x64"], ["linux", "arm64"]]) {
      const plan = planCudaSetup({ platform, arch, ortVersion: "1.29.0" });
      expect(plan.refuse).toContain(`${platform}-${arch}`);
      expect(plan.provider).toBeUndefined();
    }
  });

  it("refuses an onnxruntime-node version it has no matching provider for, installing nothing", () => {
    const ortDir = fakeOrtInstall("1.30.0");
    const run = spawnSync(process.execPath, [script, "--ort-dir", ortDir], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("onnxruntime-node 1.30.0 is installed");
    expect(run.stderr).toContain("1.29.0");
    expect(spawnSync("ls", [join(ortDir, "bin/napi-v6/linux/x64")], { encoding: "utf8" }).stdout.trim()).toBe("");
  });
});
