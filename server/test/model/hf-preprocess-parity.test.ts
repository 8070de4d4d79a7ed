// Image preprocessing against CLIPImageProcessor's documented rules for the released checkpoints
// (transformers' image_processing_clip.py and image_transforms.py), rebuilt here with Pillow and numpy since
// transformers is not installed: convert_to_rgb (Image.convert("RGB"), alpha dropped), shortest side to S with the long
// side int(S * long / short), PIL BICUBIC with reducing_gap=None, centre crop at ((h - S) // 2, (w - S) // 2).
// Inputs: odd sizes, RGBA with varying alpha, palette with a transparent entry, greyscale and greyscale + alpha.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_IMAGE_PIXELS, preprocessImage, resizedSize } from "../../src/model/image";
import { openAiClipSpec } from "./openai-clip-spec";

const S = 336;
const SPEC = openAiClipSpec(S);

const scratch = mkdtempSync(path.join(tmpdir(), "llm2clip-hf-preprocess-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HF_REFERENCE = `
import json, sys
import numpy as np
from PIL import Image
request = json.load(sys.stdin)
size = request["size"]

def smooth(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    channels = [127 + 127 * np.sin(x / (7 + 3 * c) + y / (11 + 5 * c) + c) for c in range(3)]
    noise = rng.integers(-20, 21, (h, w, 3))
    return np.clip(np.stack(channels, -1) + noise, 0, 255).astype(np.uint8)

def make(case, w, h):
    rgb = smooth(w, h, w * 7 + h)
    if case == "rgb":
        return Image.fromarray(rgb, "RGB")
    if case == "rgba":
        alpha = ((np.arange(w)[None, :] * 255) // max(w - 1, 1) * np.ones((h, 1))).astype(np.uint8)
        return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    if case == "palette":
        image = Image.fromarray(rgb, "RGB").quantize(colors=64)
        image.info["transparency"] = 0
        return image
    if case == "grey":
        return Image.fromarray(rgb[..., 1], "L")
    if case == "grey_alpha":
        return Image.fromarray(np.dstack([rgb[..., 0], rgb[..., 2]]), "LA")

def hf_preprocess(image):
    if image.mode != "RGB":
        image = image.convert("RGB")
    w, h = image.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
    resized = np.asarray(image.resize((nw, nh), resample=Image.BICUBIC, reducing_gap=None))
    top, left = (nh - size) // 2, (nw - size) // 2
    return [nw, nh], resized[top:top + size, left:left + size].reshape(-1).tolist()

out = []
for case, w, h in request["cases"]:
    image = make(case, w, h)
    file = f"{request['dir']}/{case}-{w}x{h}.png"
    image.save(file, transparency=0) if case == "palette" else image.save(file)
    resized, pixels = hf_preprocess(Image.open(file))
    out.append({"file": file, "mode": Image.open(file).mode, "resized": resized, "pixels": pixels})
json.dump(out, sys.stdout)
`;

const CASES: Array<[string, number, number]> = [
  ["rgb", 337, 451],
  ["rgb", 1001, 677],
  ["rgb", 339, 339],
  ["rgba", 403, 517],
  ["palette", 517, 403],
  ["grey", 350, 1003],
  ["grey_alpha", 677, 341],
  ["rgb", 2001, 1503],
  ["rgba", 101, 77],
];

interface Reference {
  file: string;
  mode: string;
  resized: [number, number];
  pixels: number[];
}

describe("image preprocessing against CLIPImageProcessor's rules (Pillow reference)", () => {
  const references: Reference[] = JSON.parse(
    execFileSync("/usr/bin/python3", ["-c", HF_REFERENCE], {
      input: JSON.stringify({ size: S, dir: scratch, cases: CASES }),
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    }),
  );

  it("reads the modes the cases are about", () => {
    expect(references.map((r) => r.mode)).toEqual(["RGB", "RGB", "RGB", "RGBA", "P", "L", "LA", "RGB", "RGBA"]);
  });

  it("resizes to exactly Hugging Face's size: the long side truncated", () => {
    references.forEach((ref, i) => expect(resizedSize(CASES[i][1], CASES[i][2], SPEC)).toEqual(ref.resized));
    // Sizes where truncating and rounding differ: 336 * 451 / 337 = 449.66 and 336 * 677 / 1001 ... are checked above;
    // here the smallest such case by hand.
    expect(resizedSize(3, 4, { size: 2, resizeRounding: "floor" })).toEqual([2, 2]);
    expect(resizedSize(3, 5, { size: 2, resizeRounding: "floor" })).toEqual([2, 3]);
    expect(resizedSize(3, 5, { size: 2, resizeRounding: "half_even" })).toEqual([2, 3]);
    expect(resizedSize(3, 4, { size: 2, resizeRounding: "half_even" })).toEqual([2, 3]);
    // Exact halves go to the even neighbour, as Python's round() does: 5 * 2/4 = 2.5 -> 2, 7 * 2/4 = 3.5 -> 4.
    expect(resizedSize(4, 5, { size: 2, resizeRounding: "half_even" })).toEqual([2, 2]);
    expect(resizedSize(7, 4, { size: 2, resizeRounding: "half_even" })).toEqual([4, 2]);
  });

  it("gives the reference's pixels to the 8-bit level: alpha dropped, palette and greyscale expanded, down- and upscaled", async () => {
    const area = S * S;
    for (const ref of references) {
      const { pixels } = await preprocessImage(readFileSync(ref.file), SPEC, DEFAULT_MAX_IMAGE_PIXELS);
      let mismatched = 0;
      for (let i = 0; i < area; i++) {
        for (let c = 0; c < 3; c++) {
          const level = (pixels[c * area + i] * SPEC.std[c] + SPEC.mean[c]) * 255;
          if (Math.abs(level - ref.pixels[i * 3 + c]) > 1e-3) mismatched++;
        }
      }
      expect({ file: path.basename(ref.file), mismatched }).toEqual({ file: path.basename(ref.file), mismatched: 0 });
    }
  });
});
