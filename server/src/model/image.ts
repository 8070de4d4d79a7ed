// Image preprocessing exactly as the manifest's `image` section declares, with sharp (libvips):
// decode (PNG, JPEG, WebP, GIF's first frame, SVG) -> EXIF orientation -> RGB (alpha dropped, as CLIPImageProcessor's
// convert_to_rgb does, or composited onto `background`, as the manifest says) -> bicubic resize of the shortest side to
// S with a centre crop to S x S -> mean/std normalisation into CHW float32.
// This is what runs, wherever it runs: the daemon runs it in a pool of killable worker processes (runtime/decode-pool.ts),
// since the resize (Pillow's, reproduced in pil-bicubic.ts) is hundreds of milliseconds of JavaScript for a photo and
// librsvg cannot be interrupted; `inProcessPreprocessor` runs it on the calling thread, for tools and tests.
import sharp from "sharp";
import { invalidArgument } from "../errors";
import type { ImageSpec } from "./manifest";
import { pilBicubicResizeCrop } from "./pil-bicubic";

export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;
const SUPPORTED_FORMATS = new Set(["png", "jpeg", "webp", "gif", "svg"]);
const SUPPORTED_LIST = "PNG, JPEG, WebP, GIF or SVG";
/** librsvg renders an SVG at 72 dpi unless told otherwise. */
const SVG_BASE_DENSITY = 72;
/**
 * Longest side over shortest. Beyond it the resize to S on the short side makes a strip far larger than the image
 * (a 1,000,000 x 49 PNG became a 979,592 x 48 intermediate, +600 MB); no photo or drawing is that thin.
 */
export const MAX_ASPECT_RATIO = 100;

export interface PreprocessedImage {
  /** Normalised pixels, [3, S, S] row-major. */
  pixels: Float32Array;
  /** Size of the decoded image, after EXIF orientation and before resizing. */
  width: number;
  height: number;
}

function describeBytes(bytes: Uint8Array): string {
  return `${bytes.length} byte${bytes.length === 1 ? "" : "s"}`;
}

/**
 * Where preprocessing runs. The model knows only this; runtime/decode-pool.ts implements it in worker processes with a
 * deadline. An aborted signal drops an image that has not started.
 */
export interface ImagePreprocessor {
  preprocess(bytes: Uint8Array, spec: ImageSpec, maxPixels: number, signal?: AbortSignal): Promise<PreprocessedImage>;
}

/** Preprocessing on the calling thread, with no deadline: for tools, benches and tests, not for a server. */
export const inProcessPreprocessor: ImagePreprocessor = { preprocess: (bytes, spec, maxPixels) => preprocessImage(bytes, spec, maxPixels) };

/** Preprocesses one encoded image. Bad input is invalid_argument on the field `image`, saying what is wrong. */
export async function preprocessImage(bytes: Uint8Array, spec: ImageSpec, maxPixels: number): Promise<PreprocessedImage> {
  if (bytes.length === 0) throw invalidArgument("image", "is empty (0 bytes)");
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // The header alone, without the pixel limit, so that an over-large image can be reported with its size.
  const meta = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch((err: Error) => {
      throw invalidArgument("image", `cannot be decoded as ${SUPPORTED_LIST} (${describeBytes(bytes)}): ${err.message}`);
    });
  if (!SUPPORTED_FORMATS.has(meta.format)) {
    throw invalidArgument("image", `format ${meta.format} is not supported; send ${SUPPORTED_LIST}`);
  }

  const aspect = Math.max(meta.width, meta.height) / Math.max(1, Math.min(meta.width, meta.height));
  if (aspect > MAX_ASPECT_RATIO) {
    throw invalidArgument(
      "image",
      `is ${meta.width}x${meta.height}, an aspect ratio of ${Math.round(aspect)}:1, over the limit of ${MAX_ASPECT_RATIO}:1`,
    );
  }

  // A small SVG is rendered at a density that gives the crop S pixels on its shortest side, not upscaled afterwards.
  const shortest = Math.min(meta.width, meta.height);
  const smallSvg =
    meta.format === "svg" &&
    // Stryker disable next-line EqualityOperator: `<=` draws an SVG as large as the crop at 72 dpi, the density it gets anyway; `>=`, disabled with it, fails image.test.ts (run by hand)
    shortest < spec.size;
  const density = smallSvg ? Math.ceil((SVG_BASE_DENSITY * spec.size) / shortest) : undefined;
  const scale = density === undefined ? 1 : density / SVG_BASE_DENSITY;
  const decodedPixels = Math.round(meta.width * scale) * Math.round(meta.height * scale);
  if (decodedPixels > maxPixels) {
    throw invalidArgument(
      "image",
      `is ${meta.width}x${meta.height} = ${decodedPixels} pixels, over the limit of ${maxPixels} pixels (maxImagePixels)`,
    );
  }

  // Decoded to 8-bit RGB first, so that the alpha policy acts before any resampling (libvips would premultiply
  // alpha during the resize; CLIPImageProcessor converts to RGB, then resizes). An SVG has nothing under its
  // transparent areas, so it is always drawn on the background.
  const decoder = sharp(input, { limitInputPixels: maxPixels, density, failOn: "error" }).autoOrient();
  if (spec.alpha === "composite" || meta.format === "svg") decoder.flatten({ background: spec.background });
  const rgb = await decoder
    .toColourspace("srgb")
    .removeAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true })
    .catch((err: Error) => {
      throw invalidArgument("image", `${meta.format} data is corrupt or truncated (${describeBytes(bytes)}): ${err.message}`);
    });

  // Resize and crop with Pillow's arithmetic, which both CLIPImageProcessor and the tiny model's training use: the long
  // side truncated as Hugging Face's get_resize_output_image_size does (or rounded half to even as the tiny model's
  // training did), Pillow's bicubic filter to the bit, the crop offset floored.
  const { width, height, channels } = rgb.info;
  if (channels !== 3) throw new Error(`decoding gave ${channels} channels, expected 3`);
  const [resizedWidth, resizedHeight] = resizedSize(width, height, spec);
  const data = pilBicubicResizeCrop(rgb.data, width, height, resizedWidth, resizedHeight, {
    left: Math.floor((resizedWidth - spec.size) / 2),
    top: Math.floor((resizedHeight - spec.size) / 2),
    width: spec.size,
    height: spec.size,
  });

  const area = spec.size * spec.size;
  const pixels = new Float32Array(3 * area);
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c];
    const scaleC = 1 / (255 * spec.std[c]);
    const shift = mean / spec.std[c];
    for (let i = 0; i < area; i++) pixels[c * area + i] = data[i * 3 + c] * scaleC - shift;
  }
  return { pixels, width: meta.autoOrient.width, height: meta.autoOrient.height };
}

/** The size after resizing the shortest side to `spec.size`. */
export function resizedSize(width: number, height: number, spec: Pick<ImageSpec, "size" | "resizeRounding">): [number, number] {
  const { size } = spec;
  if (spec.resizeRounding === "floor") {
    // transformers' get_resize_output_image_size: new_long = int(short_target * long / short).
    if (width <= height) return [size, Math.floor((size * height) / width)];
    return [Math.floor((size * width) / height), size];
  }
  // models/tiny/scenes.py `preprocess`: scale = size / short, then max(size, round(side * scale)).
  const scale = size / Math.min(width, height);
  return [Math.max(size, roundHalfEven(width * scale)), Math.max(size, roundHalfEven(height * scale))];
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
