// The GPU check's CPU dry run: the same script, at tiny size, on the CPU. This machine has no GPU, so the
// CUDA path itself is not run here; everything else (export, torch timing, the runtime's sessions, the table) is.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const out = mkdtempSync(path.join(os.tmpdir(), "gpu-check-"));
// Inside the repository, so that the bundle finds onnxruntime-node in node_modules.
const bundleDir = mkdtempSync(path.join((mkdirSync(path.join(ROOT, "test/.artifacts"), { recursive: true }), ROOT), "test/.artifacts/gpu-check-"));
afterAll(() => [out, bundleDir].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

it("runs end to end on the CPU at tiny size and prints one table of four shapes", () => {
  const bundle = path.join(bundleDir, "check.cjs");
  execFileSync(process.execPath, [path.join(ROOT, "test/gpu/build.mjs"), bundle], { cwd: ROOT });
  const table = execFileSync("bash", [path.join(ROOT, "test/gpu/check.sh")], {
    encoding: "utf8",
    env: { ...process.env, DEVICE: "cpu", TINY: "1", REPEATS: "2", OUT: out, BUNDLE: bundle },
  });
  const rows = table.split("\n").filter((line) => /^\| (vit|llama)-tiny/.test(line));
  expect(rows).toHaveLength(4);
  // Debian's torch 1.13 has no scaled_dot_product_attention, so its two SDPA columns and their ratio are "–" here.
  for (const row of rows) expect(row).toMatch(/\| [\d.]+ \| [\d.]+ \| – \| – \| [\d.]+ (img|texts)\/s \| [\d.]+ (img|texts)\/s \| [\d.]+× \| – \|$/);
  const results = JSON.parse(readFileSync(path.join(out, "gpu-check/results.json"), "utf8"));
  expect(results.parity.vision).toBeLessThan(1e-4);
  expect(results.parity.llm).toBeLessThan(1e-4);
  expect(results.cases.models.vision.graph).toBe("vit-tiny.fused.fp32.onnx");
}, 300_000);
