// Renders a thumbnail with sharp (libvips): the geometry of thumbnail-geometry.ts, and libvips' attention strategy
// (luminance frequency, saturation and skin tones) to place the crop window of a very tall or very wide image.
import sharp from "sharp";
import { invalidArgument } from "../errors";
import { MAX_ASPECT_RATIO } from "../model/image";
import { cropRegion, fittedSize, letterbox, shownSize, type Region, type Size } from "./thumbnail-geometry";

export const DEFAULT_THUMBNAIL_SIZE = 64;
export const MIN_THUMBNAIL_SIZE = 16;
export const MAX_THUMBNAIL_SIZE = 512;
const FORMATS = new Set(["png", "jpeg", "webp", "gif", "svg"]);
const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };

export interface Thumbnail {
  png: Buffer;
  /** The image's size after EXIF orientation. */
  image: Size;
  /** The part of the image shown. */
  shown: Region;
}

/** A `side` x `side` PNG of `bytes`. Bad input is invalid_argument on `image` or `size`, naming the limit. */
export async function renderThumbnail(bytes: Uint8Array, side: number, maxPixels: number): Promise<Thumbnail> {
  if (!Number.isInteger(side) || side < MIN_THUMBNAIL_SIZE || side > MAX_THUMBNAIL_SIZE) {
    throw invalidArgument("size", `${side} is outside ${MIN_THUMBNAIL_SIZE} to ${MAX_THUMBNAIL_SIZE} pixels`);
  }
  if (bytes.length === 0) throw invalidArgument("image", "is empty (0 bytes)");
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch((error: Error) => {
      throw invalidArgument("image", `cannot be decoded as PNG, JPEG, WebP, GIF or SVG (${bytes.length} bytes): ${error.message}`);
    });
  if (!FORMATS.has(meta.format)) throw invalidArgument("image", `format ${meta.format} is not supported; send PNG, JPEG, WebP, GIF or SVG`);
  const image = { width: meta.autoOrient.width, height: meta.autoOrient.height };
  const aspect = Math.max(image.width, image.height) / Math.max(1, Math.min(image.width, image.height));
  if (aspect > MAX_ASPECT_RATIO) {
    throw invalidArgument("image", `is ${image.width}x${image.height}, an aspect ratio of ${Math.round(aspect)}:1, over the limit of ${MAX_ASPECT_RATIO}:1`);
  }
  if (image.width * image.height > maxPixels) {
    throw invalidArgument("image", `is ${image.width}x${image.height} = ${image.width * image.height} pixels, over the limit of ${maxPixels} pixels (maxImagePixels)`);
  }
  const shownWhole = shownSize(image.width, image.height);
  const fitted = fittedSize(shownWhole, side);
  const decoder = sharp(input, { limitInputPixels: maxPixels, failOn: "error" }).autoOrient();
  const cropped = shownWhole.width !== image.width || shownWhole.height !== image.height;
  const resized = await decoder
    .resize({ ...fitted, fit: "cover", position: cropped ? sharp.strategy.attention : "centre" })
    .ensureAlpha()
    .png()
    .toBuffer({ resolveWithObject: true })
    .catch((error: Error) => {
      throw invalidArgument("image", `${meta.format} data is corrupt or truncated (${bytes.length} bytes): ${error.message}`);
    });
  const shown = cropped
    ? cropRegion(image, fitted, { left: resized.info.cropOffsetLeft ?? 0, top: resized.info.cropOffsetTop ?? 0 })
    : { left: 0, top: 0, ...image };
  const placed = letterbox(fitted, side);
  const png = await sharp({ create: { width: side, height: side, channels: 4, background: TRANSPARENT } })
    .composite([{ input: resized.data, left: placed.left, top: placed.top }])
    .png()
    .toBuffer();
  return { png, image, shown };
}
