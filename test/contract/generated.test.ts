// The generated TypeScript must be what `npm run gen` makes from the .proto today: a contract edited without
// regenerating fails here. Generates into a scratch folder, so the checkout is never rewritten.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT } from "../support/daemon";

const scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-gen-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const generatedFiles = (root: string) =>
  readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .sort();

it("the committed generated TypeScript matches buf generate's output for the .proto", () => {
  execFileSync(path.join(REPO_ROOT, "node_modules", ".bin", "buf"), ["generate", "-o", scratch], { cwd: REPO_ROOT, stdio: "pipe" });
  const fresh = path.join(scratch, "proto");
  const committed = path.join(REPO_ROOT, "proto");
  const files = generatedFiles(fresh);
  expect(files.length).toBeGreaterThan(0);
  expect(generatedFiles(committed)).toEqual(files);
  for (const file of files) expect(readFileSync(path.join(committed, file), "utf8"), file).toBe(readFileSync(path.join(fresh, file), "utf8"));
}, 120_000);
