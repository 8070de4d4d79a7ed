// Thumbnails: the geometry on its own, then real images through sharp: a phone screenshot and a banner are cropped to
// where their detail is, a mid-size diagram is shown whole, and the bars around it are transparent.
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { renderThumbnail } from "../../src/thumbnail/render-thumbnail";
import { cropRegion, fittedSize, letterbox, shownSize } from "../../src/thumbnail/thumbnail-geometry";
import { screenshotSvg } from "../../../test/support/images";

const MAX_PIXELS = 50_000_000;

describe("thumbnail geometry", () => {
  it("shows images up to 2:1 whole and cuts a 1.5:1 window from longer ones", () => {
    expect(shownSize(1024, 640)).toEqual({ width: 1024, height: 640 });
    expect(shownSize(200, 100)).toEqual({ width: 200, height: 100 });
    expect(shownSize(64, 64)).toEqual({ width: 64, height: 64 });
    expect(shownSize(1320, 2868)).toEqual({ width: 1320, height: 1980 });
    expect(shownSize(586, 90)).toEqual({ width: 135, height: 90 });
    expect(shownSize(1000, 1)).toEqual({ width: 2, height: 1 });
  });

  it("fits the shown region into the square, long side first, and centres it between bars", () => {
    expect(fittedSize({ width: 1320, height: 1980 }, 64)).toEqual({ width: 43, height: 64 });
    expect(fittedSize({ width: 1024, height: 640 }, 64)).toEqual({ width: 64, height: 40 });
    expect(fittedSize({ width: 10_000, height: 1 }, 64)).toEqual({ width: 64, height: 1 });
    expect(letterbox({ width: 43, height: 64 }, 64)).toEqual({ width: 43, height: 64, left: 10, top: 0 });
    expect(letterbox({ width: 64, height: 40 }, 64)).toEqual({ width: 64, height: 40, left: 0, top: 12 });
  });

  it("maps libvips' crop offset back to the image's pixels and keeps the window inside the image", () => {
    // 1320x2868 covered to 43x64 is a scale of 43/1320; an offset of -20 rows is 614 image rows.
    expect(cropRegion({ width: 1320, height: 2868 }, { width: 43, height: 64 }, { left: 0, top: -20 })).toEqual({ left: 0, top: 614, width: 1320, height: 1980 });
    expect(cropRegion({ width: 1320, height: 2868 }, { width: 43, height: 64 }, { left: 0, top: -999 }).top).toBe(2868 - 1980);
    // 586x90 covered to 64x43 is a scale of 43/90.
    expect(cropRegion({ width: 586, height: 90 }, { width: 64, height: 43 }, { left: -200, top: 0 })).toEqual({ left: 419, top: 0, width: 135, height: 90 });
    expect(cropRegion({ width: 586, height: 90 }, { width: 64, height: 43 }, { left: -250, top: 0 }).left).toBe(586 - 135);
  });
});

/** Alpha of the pixel at (x, y) of a PNG. */
async function alphaAt(png: Buffer, x: number, y: number): Promise<number> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return data[(y * info.width + x) * info.channels + 3]!;
}

/** How much of the span [start, end) the window [from, from + length) covers, 0 to 1. */
function covered(from: number, length: number, start: number, end: number): number {
  return Math.max(0, Math.min(from + length, end) - Math.max(from, start)) / (end - start);
}

/** A plain white image of the given size with a busy block (stripes and text) at `block`. */
function plantedDetail(width: number, height: number, block: { x: number; y: number; w: number; h: number }): Promise<Buffer> {
  const stripes = Array.from({ length: 12 }, (_, i) => `<rect x="${block.x + i * (block.w / 12)}" y="${block.y}" width="${block.w / 24}" height="${block.h}" fill="${i % 2 ? "#d03030" : "#2050c0"}"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${stripes.join("")}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe("renderThumbnail", () => {
  it("crops a tall image to a window over most of its detail, wherever it lies", async () => {
    const image = await plantedDetail(1320, 2868, { x: 200, y: 2300, w: 800, h: 400 });
    const { png, shown, image: size } = await renderThumbnail(image, 64, MAX_PIXELS);
    expect(size).toEqual({ width: 1320, height: 2868 });
    expect(shown.height).toBe(1980);
    expect(covered(shown.top, shown.height, 2300, 2700)).toBeGreaterThanOrEqual(0.8);
    expect((await sharp(png).metadata()).width).toBe(64);
  });

  it("crops a wide banner to a window over most of its detail", async () => {
    const image = await plantedDetail(586, 90, { x: 430, y: 10, w: 120, h: 70 });
    const { shown } = await renderThumbnail(image, 64, MAX_PIXELS);
    expect(shown.width).toBe(135);
    expect(covered(shown.left, shown.width, 430, 550)).toBeGreaterThanOrEqual(0.8);
  });

  it("shows a phone screenshot's content, at its top, not the blank screen below", async () => {
    const image = await sharp(screenshotSvg(7, 1320, 2868)).png().toBuffer();
    const { shown } = await renderThumbnail(image, 64, MAX_PIXELS);
    // screenshotSvg draws the title bar, toolbar, text and code block in the top 600 rows.
    expect(shown.top).toBeLessThan(600);
  });

  it("shows a mid-size diagram whole, letterboxed with transparent bars", async () => {
    const image = await sharp(screenshotSvg(3, 1024, 640)).png().toBuffer();
    const { png, shown } = await renderThumbnail(image, 64, MAX_PIXELS);
    expect(shown).toEqual({ left: 0, top: 0, width: 1024, height: 640 });
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.hasAlpha]).toEqual([64, 64, true]);
    expect(await alphaAt(png, 32, 5)).toBe(0);
    expect(await alphaAt(png, 32, 32)).toBe(255);
    expect(await alphaAt(png, 32, 58)).toBe(0);
  });

  it("names the field and the limit for a bad size or image, a pixel bomb or a sliver", async () => {
    const image = await plantedDetail(100, 100, { x: 10, y: 10, w: 50, h: 50 });
    await expect(renderThumbnail(image, 8, MAX_PIXELS)).rejects.toThrow(/size: 8 is outside 16 to 512 pixels/);
    await expect(renderThumbnail(Buffer.from("not an image"), 64, MAX_PIXELS)).rejects.toThrow(/image: cannot be decoded/);
    await expect(renderThumbnail(new Uint8Array(0), 64, MAX_PIXELS)).rejects.toThrow(/image: is empty/);
    await expect(renderThumbnail(image, 64, 5_000)).rejects.toThrow(/100x100 = 10000 pixels, over the limit of 5000/);
    const sliver = await sharp({ create: { width: 20_000, height: 10, channels: 3, background: "white" } }).png().toBuffer();
    await expect(renderThumbnail(sliver, 64, MAX_PIXELS)).rejects.toThrow(/20000x10, an aspect ratio of 2000:1, over the limit of 100:1/);
  });
});
