import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { openAiClipSpec } from "./openai-clip-spec";
import { DEFAULT_MAX_IMAGE_PIXELS, MAX_ASPECT_RATIO, preprocessImage } from "../../src/model/image";

const S = 32;
const SPEC = openAiClipSpec(S);

type RGB = [number, number, number];
const RED: RGB = [255, 0, 0];
const GREEN: RGB = [0, 255, 0];
const BLUE: RGB = [0, 0, 255];
const WHITE: RGB = [255, 255, 255];

/** The normalised value the model should see for an 8-bit channel value. */
const normalised = (c: number, v: number) => (v / 255 - SPEC.mean[c]) / SPEC.std[c];
/** One 8-bit level after normalisation, with a little room for resampling and JPEG rounding. */
const tolerance = (c: number, levels: number) => levels / 255 / SPEC.std[c];

function pixel(pixels: Float32Array, row: number, col: number): RGB {
  const i = row * S + col;
  return [pixels[i], pixels[S * S + i], pixels[2 * S * S + i]];
}

function expectColour(pixels: Float32Array, row: number, col: number, rgb: RGB, levels = 1) {
  const got = pixel(pixels, row, col);
  for (let c = 0; c < 3; c++) {
    const diff = Math.abs(got[c] - normalised(c, rgb[c]));
    if (diff > tolerance(c, levels)) {
      throw new Error(`pixel (${row},${col}) channel ${c}: got ${got[c]}, want ${normalised(c, rgb[c])} (${rgb})`);
    }
  }
}

function expectEverywhere(pixels: Float32Array, rgb: RGB, levels = 1) {
  expect(pixels).toHaveLength(3 * S * S);
  for (let row = 0; row < S; row++) for (let col = 0; col < S; col++) expectColour(pixels, row, col, rgb, levels);
}

/** Raw RGB(A) pixels from a function of (x, y). */
function raw(width: number, height: number, channels: 3 | 4, colour: (x: number, y: number) => number[]) {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * channels);
  }
  return sharp(data, { raw: { width, height, channels } });
}

const solid = (width: number, height: number, rgb: RGB) => raw(width, height, 3, () => rgb);

async function rejection(promise: Promise<unknown>): Promise<Llm2ClipError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Llm2ClipError);
  expect(error).toMatchObject({ kind: "invalid_argument", field: "image" });
  return error as Llm2ClipError;
}

/** A PNG whose header claims width x height; its pixel data is a single empty row, never reached. */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, "ascii"), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(1))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("preprocessImage", () => {
  it("normalises a PNG into CHW float32 with the manifest's mean and std, and reports the decoded size", async () => {
    const result = await preprocessImage(await solid(100, 50, RED).png().toBuffer(), SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expectEverywhere(result.pixels, RED);
    expect([result.width, result.height]).toEqual([100, 50]);
  });

  it("resizes the shortest side to S and keeps the centre", async () => {
    // Thirds of 96 x 32 after resizing: red | green | blue. The centre crop is the green third.
    const png = await raw(300, 100, 3, (x) => (x < 100 ? RED : x < 200 ? GREEN : BLUE)).png().toBuffer();
    const { pixels } = await preprocessImage(png, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    for (let row = 0; row < S; row++) for (let col = 2; col < S - 2; col++) expectColour(pixels, row, col, GREEN);
  });

  it("resizes with a bicubic kernel: a hard edge overshoots, as Catmull-Rom does and bilinear cannot", async () => {
    // A 2x upscale of a dark/light grey edge; bicubic's negative lobes push the neighbours past both levels.
    const png = await raw(16, 16, 3, (x) => (x < 8 ? [64, 64, 64] : [192, 192, 192])).png().toBuffer();
    const { pixels } = await preprocessImage(png, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    const row = Array.from({ length: S }, (_, col) => pixel(pixels, 16, col)[0]);
    expect(Math.min(...row)).toBeLessThan(normalised(0, 64) - tolerance(0, 2));
    expect(Math.max(...row)).toBeGreaterThan(normalised(0, 192) + tolerance(0, 2));
    expectColour(pixels, 16, 0, [64, 64, 64]);
    expectColour(pixels, 16, S - 1, [192, 192, 192]);
  });

  it("applies EXIF orientation 6 to a JPEG before cropping", async () => {
    // Stored 60 x 40, left half red, right half blue; orientation 6 displays it turned 90 degrees clockwise,
    // 40 x 60, with red on top.
    const jpeg = await raw(60, 40, 3, (x) => (x < 30 ? RED : BLUE))
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const result = await preprocessImage(jpeg, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expect([result.width, result.height]).toEqual([40, 60]);
    for (const col of [4, 16, 28]) {
      expectColour(result.pixels, 4, col, RED, 12);
      expectColour(result.pixels, 27, col, BLUE, 12);
    }
  });

  it("decodes lossless WebP", async () => {
    const webp = await solid(48, 40, BLUE).webp({ lossless: true }).toBuffer();
    expectEverywhere((await preprocessImage(webp, SPEC, DEFAULT_MAX_IMAGE_PIXELS)).pixels, BLUE);
  });

  it("takes the first frame of an animated GIF", async () => {
    const frames = raw(40, 80, 3, (_, y) => (y < 40 ? RED : BLUE));
    const gif = await sharp(await frames.raw().toBuffer(), { raw: { width: 40, height: 80, channels: 3, pageHeight: 40 } } as never)
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const result = await preprocessImage(gif, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expectEverywhere(result.pixels, RED, 2);
    expect([result.width, result.height]).toEqual([40, 40]);
  });

  it("renders SVG, with transparent areas on the background colour", async () => {
    // A 4 x 8 SVG: the top half a green rectangle, the bottom half transparent. Rendered so the short side is S.
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="8"><rect x="0" y="0" width="4" height="4" fill="#00ff00"/></svg>',
    );
    const result = await preprocessImage(svg, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expect([result.width, result.height]).toEqual([4, 8]);
    // Shortest side 32: 32 x 64 rendered, centre crop rows 16..47: its top half green, bottom half background.
    for (const col of [0, 15, 31]) {
      expectColour(result.pixels, 2, col, GREEN, 2);
      expectColour(result.pixels, 29, col, WHITE, 2);
    }
    // Drawn at exactly 32 x 64 pixels: a limit of that many is enough.
    expect((await preprocessImage(svg, SPEC, 32 * 64)).pixels).toEqual(result.pixels);
  });

  it("draws an SVG larger than the crop at its own size, then resizes it as any image", async () => {
    // 1-pixel stripes, 64 x 64: drawn at 64 x 64 and resized, exactly as the same drawing saved as PNG.
    const stripes = Array.from({ length: 32 }, (_, i) => `<rect x="${2 * i}" y="0" width="1" height="64" fill="#0000ff"/>`).join("");
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">${stripes}</svg>`);
    const png = await sharp(svg).flatten({ background: SPEC.background }).png().toBuffer();
    expect((await sharp(png).metadata()).width).toBe(64);
    const fromSvg = await preprocessImage(svg, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expect(fromSvg.pixels).toEqual((await preprocessImage(png, SPEC, DEFAULT_MAX_IMAGE_PIXELS)).pixels);
  });

  it("drops alpha as CLIPImageProcessor's convert_to_rgb does: the colour under a transparent pixel is kept", async () => {
    const png = await raw(32, 32, 4, (x) => (x < 16 ? [255, 0, 0, 0] : [0, 0, 255, 128])).png().toBuffer();
    const dropped = await preprocessImage(png, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expectColour(dropped.pixels, 10, 4, RED);
    expectColour(dropped.pixels, 10, 28, BLUE);
  });

  it("composites alpha onto the manifest's background colour when alpha is \"composite\"", async () => {
    const png = await raw(32, 32, 4, (x) => (x < 16 ? [255, 0, 0, 0] : [255, 0, 0, 128])).png().toBuffer();
    const onWhite = await preprocessImage(png, { ...SPEC, alpha: "composite" }, DEFAULT_MAX_IMAGE_PIXELS);
    expectColour(onWhite.pixels, 10, 4, WHITE);
    // Half-transparent red over white: 255 * 128/255 + 255 * 127/255 = 255 for red, 127 for green and blue.
    expectColour(onWhite.pixels, 10, 28, [255, 127, 127], 1.5);
    const onBlack = await preprocessImage(png, { ...SPEC, alpha: "composite", background: "#000000" }, DEFAULT_MAX_IMAGE_PIXELS);
    expectColour(onBlack.pixels, 10, 4, [0, 0, 0]);
    expectColour(onBlack.pixels, 10, 28, [128, 0, 0], 1.5);
  });

  it("gives a greyscale image three equal channels", async () => {
    const png = await sharp(Buffer.alloc(40 * 40, 200), { raw: { width: 40, height: 40, channels: 1 } }).png().toBuffer();
    expectEverywhere((await preprocessImage(png, SPEC, DEFAULT_MAX_IMAGE_PIXELS)).pixels, [200, 200, 200]);
  });

  it("rejects empty, corrupt and truncated images, naming the field and the problem", async () => {
    expect((await rejection(preprocessImage(new Uint8Array(0), SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toBe(
      "image: is empty (0 bytes)",
    );
    const garbage = new Uint8Array(1000).map((_, i) => (i * 7919) % 251);
    expect((await rejection(preprocessImage(garbage, SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toMatch(
      /^image: cannot be decoded as PNG, JPEG, WebP, GIF or SVG \(1000 bytes\)/,
    );
    const noisy = raw(64, 64, 3, (x, y) => [(x * 37 + y * 11) % 256, (x * y) % 256, (x + y * 53) % 256]);
    const png = await noisy.clone().png().toBuffer();
    expect((await rejection(preprocessImage(png.subarray(0, png.length / 2), SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toMatch(
      /^image: png data is corrupt or truncated/,
    );
    const jpeg = await noisy.clone().jpeg().toBuffer();
    expect((await rejection(preprocessImage(jpeg.subarray(0, jpeg.length / 2), SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toMatch(
      /^image: jpeg data is corrupt or truncated/,
    );
  });

  it("counts a single byte as one byte when it cannot be decoded", async () => {
    expect((await rejection(preprocessImage(new Uint8Array([0x89]), SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toMatch(
      /^image: cannot be decoded as PNG, JPEG, WebP, GIF or SVG \(1 byte\): /,
    );
  });

  it("holds an SVG to the pixel limit at the size it is rendered, not the size it declares", async () => {
    // 1 x 1 declared, rendered so that its side is S = 32: 1,024 pixels.
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1" fill="#ff0000"/></svg>');
    expect((await rejection(preprocessImage(svg, SPEC, 1000))).message).toBe(
      "image: is 1x1 = 1024 pixels, over the limit of 1000 pixels (maxImagePixels)",
    );
    expectEverywhere((await preprocessImage(svg, SPEC, 1024)).pixels, RED, 2);
  });

  it("takes an image of exactly the largest aspect ratio", async () => {
    const strip = await solid(MAX_ASPECT_RATIO * 2, 2, GREEN).png().toBuffer();
    const result = await preprocessImage(strip, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expect([result.width, result.height]).toEqual([MAX_ASPECT_RATIO * 2, 2]);
    expectEverywhere(result.pixels, GREEN);
  });

  it("rejects a format the daemon does not take", async () => {
    const tiff = await solid(8, 8, RED).tiff().toBuffer();
    expect((await rejection(preprocessImage(tiff, SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toBe(
      "image: format tiff is not supported; send PNG, JPEG, WebP, GIF or SVG",
    );
  });

  it("rejects a pixel bomb from its header, naming the size and the limit", async () => {
    const bomb = pngHeader(100_000, 100_000);
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(100_000);
    expect((await rejection(preprocessImage(bomb, SPEC, DEFAULT_MAX_IMAGE_PIXELS))).message).toBe(
      "image: is 100000x100000 = 10000000000 pixels, over the limit of 50000000 pixels (maxImagePixels)",
    );
    const png = await solid(200, 100, RED).png().toBuffer();
    expect((await rejection(preprocessImage(png, SPEC, 10_000))).message).toMatch(/20000 pixels, over the limit of 10000 pixels/);
  });

  it.each([
    [1, 49_000_000],
    [49_000_000, 1],
    [1_000_000, 49],
  ])("rejects a %ix%i image for its aspect ratio before decoding it, naming the limit", async (width, height) => {
    const error = await rejection(preprocessImage(pngHeader(width, height), SPEC, DEFAULT_MAX_IMAGE_PIXELS));
    expect(error).toMatchObject({ kind: "invalid_argument", field: "image" });
    expect(error.message).toMatch(new RegExp(`^image: is ${width}x${height}, an aspect ratio of \\d+:1, over the limit of ${MAX_ASPECT_RATIO}:1$`));
  });
});
