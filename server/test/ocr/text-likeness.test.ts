// --ocr auto's choice on a few images of each kind; its accuracy on 440 images is measured by
// test/bench/ocr/auto-bench.ts (auto-results.md).
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeForOcr } from "../../src/ocr/decode";
import { looksLikeScreenshotOrDiagram, textLikeness } from "../../src/ocr/text-likeness";
import { screenshotSvg, textImage } from "../../../test/support/images";

const decode = (bytes: Buffer) => decodeForOcr(bytes, 50_000_000);

describe("--ocr auto: looks like a screenshot or a diagram", () => {
  it("reads a rendered application screenshot and a line of text", async () => {
    expect(looksLikeScreenshotOrDiagram(await decode(await sharp(screenshotSvg(3)).png().toBuffer()))).toBe(true);
    const line = await textImage(640, 90, [{ text: "Open the Command Palette to run tasks", y: 50, font: "DejaVu Sans", size: 22 }]);
    expect(looksLikeScreenshotOrDiagram(await decode(line))).toBe(true);
  });

  it("skips the model's scenes of flat shapes, a plain colour and a noisy photo-like image", async () => {
    for (const scene of ["test-00040.png", "test-00090.png"]) {
      const image = await decode(readFileSync(path.join(__dirname, "../../../models/tiny-llm2clip/testset", scene)));
      expect(textLikeness(image).textRows).toBe(0);
      expect(looksLikeScreenshotOrDiagram(image)).toBe(false);
    }
    const plain = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#3366cc" } }).png().toBuffer();
    expect(looksLikeScreenshotOrDiagram(await decode(plain))).toBe(false);
    const noisy = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png().toBuffer();
    const stats = textLikeness(await decode(noisy));
    expect(stats.textRows).toBeGreaterThan(0.5);
    expect(stats.flatness).toBeLessThan(0.2);
    expect(looksLikeScreenshotOrDiagram(await decode(noisy))).toBe(false);
  });
});
