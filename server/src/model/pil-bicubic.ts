// Pillow's bicubic resize of 8-bit RGB (libImaging/Resample.c), reproduced to the bit: CLIPImageProcessor resizes
// with PIL's Image.resize(size, BICUBIC, reducing_gap=None), and libvips' cubic kernel differs from it by up to 4
// levels. The method is Pillow's: a separable convolution whose kernel widens with the downscale factor (support
// 2 x scale), coefficients normalised to sum 1 and then fixed-point with 22 fractional bits, a horizontal pass into
// an 8-bit image, then a vertical pass, each rounding half up and clipping to 0..255.
// Only the output pixels inside `crop` are computed: each output pixel depends on its own coefficients alone, so
// the result equals resizing the whole image and cropping afterwards.

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const SUPPORT = 2;

/** Pillow's bicubic_filter, a = -0.5 (Keys' cubic convolution). */
function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Coefficients {
  /** First input index of each output index. */
  start: Int32Array;
  /** Number of input indices of each output index. */
  count: Int32Array;
  /** Fixed-point weights, `kernelSize` a row. */
  weights: Int32Array;
  kernelSize: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for outputs [first, first + n) of a resize from inSize to outSize. */
function coefficients(inSize: number, outSize: number, first: number, n: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Int32Array(n * kernelSize);
  const row = new Float64Array(kernelSize);
  for (let i = 0; i < n; i++) {
    const center = (first + i + 0.5) * scale;
    const inverse = 1 / filterScale;
    const min = Math.max(0, Math.trunc(center - support + 0.5));
    const max = Math.min(inSize, Math.trunc(center + support + 0.5)) - min;
    let sum = 0;
    for (let x = 0; x < max; x++) {
      const w = bicubic((x + min - center + 0.5) * inverse);
      row[x] = w;
      sum += w;
    }
    for (let x = 0; x < max; x++) {
      const w = sum !== 0 ? row[x] / sum : row[x];
      weights[i * kernelSize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    start[i] = min;
    count[i] = max;
  }
  return { start, count, weights, kernelSize };
}

function clip8(value: number): number {
  if (value >= 1 << (PRECISION_BITS + 8)) return 255;
  if (value <= 0) return 0;
  return value >> PRECISION_BITS;
}

export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Resizes packed 8-bit RGB `width` x `height` to `outWidth` x `outHeight` as Pillow does, and returns the pixels of
 * `crop` (in output coordinates), packed RGB.
 */
export function pilBicubicResizeCrop(
  data: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  crop: CropBox,
): Uint8Array {
  const horizontal = coefficients(width, outWidth, crop.left, crop.width);
  const vertical = coefficients(height, outHeight, crop.top, crop.height);
  // Pillow skips a pass whose size does not change; a pass at scale 1 would be the identity anyway.
  const firstRow = outHeight === height ? crop.top : vertical.start[0];
  const lastRow = outHeight === height ? crop.top + crop.height : vertical.start[crop.height - 1] + vertical.count[crop.height - 1];

  // Horizontal pass over the input rows the vertical pass reads.
  const rows = lastRow - firstRow;
  const temp = new Uint8Array(rows * crop.width * 3);
  const { start: hStart, count: hCount, weights: hWeights, kernelSize: hSize } = horizontal;
  for (let y = 0; y < rows; y++) {
    const source = (y + firstRow) * width * 3;
    let out = y * crop.width * 3;
    if (outWidth === width) {
      temp.set(data.subarray(source + crop.left * 3, source + (crop.left + crop.width) * 3), out);
      continue;
    }
    for (let x = 0; x < crop.width; x++, out += 3) {
      const k = x * hSize;
      const n = hCount[x];
      let r = HALF;
      let g = HALF;
      let b = HALF;
      let at = source + hStart[x] * 3;
      for (let i = 0; i < n; i++, at += 3) {
        const w = hWeights[k + i];
        r += data[at] * w;
        g += data[at + 1] * w;
        b += data[at + 2] * w;
      }
      temp[out] = clip8(r);
      temp[out + 1] = clip8(g);
      temp[out + 2] = clip8(b);
    }
  }
  if (outHeight === height) return temp;

  const result = new Uint8Array(crop.width * crop.height * 3);
  const stride = crop.width * 3;
  const { start: vStart, count: vCount, weights: vWeights, kernelSize: vSize } = vertical;
  for (let y = 0; y < crop.height; y++) {
    const k = y * vSize;
    const n = vCount[y];
    const base = (vStart[y] - firstRow) * stride;
    for (let x = 0; x < stride; x++) {
      let sum = HALF;
      let at = base + x;
      for (let i = 0; i < n; i++, at += stride) sum += temp[at] * vWeights[k + i];
      result[y * stride + x] = clip8(sum);
    }
  }
  return result;
}
