// Decodes an image for OCR at its own size (no crop, no resize): text is read where the pixels are.
import sharp from "sharp";
import { invalidArgument } from "../errors";
import type { RgbImage } from "./raster";
import { MAX_TILES, tileCount } from "./tiles";

/**
 * Transparent areas become white: diagrams are mostly dark text on a transparent ground. Refused, as
 * invalid_argument on `image`: what sharp cannot decode, more than `maxPixels` pixels, or an image so tall that it
 * would take more than MAX_TILES detector bands.
 */
export async function decodeForOcr(bytes: Uint8Array, maxPixels: number): Promise<RgbImage> {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch((err: Error) => {
      throw invalidArgument("image", `cannot be decoded: ${err.message}`);
    });
  const { width, height } = meta.autoOrient;
  if (width * height > maxPixels) {
    throw invalidArgument("image", `is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels} pixels`);
  }
  const tiles = tileCount(width, height);
  if (tiles > MAX_TILES) {
    throw invalidArgument("image", `is ${width}x${height}: OCR would need ${tiles} bands, over the limit of ${MAX_TILES}`);
  }
  const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: "error" })
    .autoOrient()
    .flatten({ background: "#ffffff" })
    .toColourspace("srgb")
    .removeAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true })
    .catch((err: Error) => {
      throw invalidArgument("image", `data is corrupt or truncated: ${err.message}`);
    });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
