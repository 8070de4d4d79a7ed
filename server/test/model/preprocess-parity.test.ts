// Images reach the vision graph as they did in training: the daemon's sharp pipeline against the PIL preprocessing
// the shipped tiny model was trained with (models/tiny/scenes.py `preprocess`: bicubic shortest side, centre crop).
// The manifest says how the training rounded (half to even) and treated alpha (convert("RGB") drops it); the resize
// is Pillow's own filter, so the pixels agree to the 8-bit level.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { preprocessImage } from "../../src/model/image";
import { readManifest } from "../../src/model/manifest";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const MODEL_DIR = path.join(REPO_ROOT, "models/tiny-llm2clip");

const scratch = mkdtempSync(path.join(tmpdir(), "llm2clip-preprocess-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PYTHON_PIXELS = `
import json, sys
import numpy as np
from PIL import Image
from models.tiny.scenes import preprocess
request = json.load(sys.stdin)
out = [np.asarray(preprocess(Image.open(f).convert("RGB"), request["size"])).reshape(-1).tolist() for f in request["files"]]
json.dump(out, sys.stdout)
`;

describe("image preprocessing matches training", () => {
  it("for the shipped model's sample images, to the 8-bit level of PIL", async () => {
    const manifest = await readManifest(MODEL_DIR);
    const { size, mean, std } = manifest.image;
    const folder = path.join(MODEL_DIR, "samples/images");
    const files = readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".png"))
      .sort()
      .filter((_, i) => i % 5 === 0)
      .map((f) => path.join(folder, f));
    files.push(path.join(MODEL_DIR, "samples/self-check.png"));
    // Larger photos-to-be than the samples: downscaled 5x to 20x, where resampling filters differ most.
    for (const [width, height] of [[640, 480], [333, 1000], [1003, 997]]) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
        <rect width="100%" height="100%" fill="#2a7ab0"/>
        <circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 4}" fill="#f0c020"/>
        <rect x="${width / 10}" y="${height / 10}" width="${width / 5}" height="${height / 7}" fill="#c02040"/></svg>`;
      const file = path.join(scratch, `shapes-${width}x${height}.png`);
      await sharp(Buffer.from(svg)).png().toFile(file);
      files.push(file);
    }

    const python: number[][] = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", PYTHON_PIXELS], {
        cwd: REPO_ROOT,
        input: JSON.stringify({ files, size }),
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    expect(python).toHaveLength(files.length);
    const area = size * size;
    const meanDiffs: number[] = [];
    const maxDiffs: number[] = [];
    for (const [n, file] of files.entries()) {
      const { pixels } = await preprocessImage(readFileSync(file), manifest.image, 50_000_000);
      let total = 0;
      let worst = 0;
      for (let i = 0; i < area; i++) {
        for (let c = 0; c < 3; c++) {
          // Back from the normalised value to 8-bit levels; PIL's is HWC.
          const ours = (pixels[c * area + i] * std[c] + mean[c]) * 255;
          const diff = Math.abs(ours - python[n][i * 3 + c]);
          total += diff;
          worst = Math.max(worst, diff);
        }
      }
      meanDiffs.push(total / (3 * area));
      maxDiffs.push(worst);
    }
    // With libvips' cubic kernel this measured means of 0.01 to 0.2 levels and maxima of 1 to 8.
    expect(Math.max(...maxDiffs)).toBeLessThan(1e-3);
    expect(Math.max(...meanDiffs)).toBeLessThan(1e-4);
  });
});
