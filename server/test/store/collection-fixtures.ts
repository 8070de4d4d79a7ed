// What the collection tests build collections from: a scratch folder per test, unit vectors, and asset and content
// inputs derived from one number.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { AssetInput } from "../../src/store/collection";

export const MODEL = { name: "test-model", embedDim: 8 };

export function unit(...values: number[]): Float32Array {
  const v = new Float32Array(MODEL.embedDim);
  values.forEach((x, i) => (v[i] = x));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export function sha(n: number): string {
  return n.toString(16).padStart(64, "0");
}

export function asset(path: string, n: number, altTexts: string[] = []): AssetInput {
  return { path, sha256: sha(n), size: 100 + n, mtimeMs: 1_700_000_000_000 + n, altTexts };
}

export function content(n: number, embedding: Float32Array) {
  return { sha256: sha(n), size: 100 + n, width: 10 * n, height: 5 * n, embedding };
}

/** A fresh folder for each test of the calling file, removed after it; `file()` is a database path inside it. */
export function scratchFolder(): { dir: () => string; file: () => string } {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "collection-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return { dir: () => dir, file: () => join(dir, "c.sqlite") };
}
