// An 8-bit RGB raster in memory, and the two resamplings the OCR pipeline needs on it.

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bilinear resampling of `rect` of `image` (fractional edges allowed) into a `width`×`height` planar float tensor in
 * BGR order (PaddleOCR trains on OpenCV's BGR images), each channel mapped by (v / 255 - mean[c]) / std[c], written at `offset` of `out` with row stride `stride`.
 */
export function resampleNormalized(
  image: RgbImage,
  rect: Rect,
  width: number,
  height: number,
  mean: readonly number[],
  std: readonly number[],
  out: Float32Array,
  offset: number,
  stride: number,
  planeSize: number,
): void {
  const sx = rect.width / width;
  const sy = rect.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max(rect.y + (y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max(rect.x + (x + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const wx = fx - x0;
      const a = (y0 * image.width + x0) * 3;
      const b = (y0 * image.width + x1) * 3;
      const c = (y1 * image.width + x0) * 3;
      const d = (y1 * image.width + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const source = 2 - ch;
        const top = image.data[a + source] * (1 - wx) + image.data[b + source] * wx;
        const bottom = image.data[c + source] * (1 - wx) + image.data[d + source] * wx;
        const v = top * (1 - wy) + bottom * wy;
        out[offset + ch * planeSize + y * stride + x] = (v / 255 - mean[ch]) / std[ch];
      }
    }
  }
}
