// PP-OCRv4's recogniser reads one text line at a time: the line is resized to height 48 keeping its aspect ratio,
// normalised to [-1, 1], and lines of one batch are padded on the right to the widest (PaddleOCR pads with 0 after
// normalisation, and never narrower than 320). The output is a CTC sequence, one step per 8 input columns.
import { type Rect, type RgbImage, resampleNormalized } from "./raster";

export const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;
/** A wider line is squeezed into this width; one line of a 4K screenshot at 48 px height stays below it. */
const REC_MAX_WIDTH = 2400;
const REC_MEAN = [0.5, 0.5, 0.5];
const REC_STD = [0.5, 0.5, 0.5];

export interface RecognitionBatch {
  data: Float32Array;
  dims: [number, 3, number, number];
}

export function lineWidth(rect: Rect): number {
  return Math.min(REC_MAX_WIDTH, Math.max(1, Math.ceil((REC_HEIGHT * rect.width) / Math.max(1, rect.height))));
}

export function recognitionBatch(image: RgbImage, lines: readonly Rect[]): RecognitionBatch {
  const width = Math.max(REC_MIN_WIDTH, ...lines.map(lineWidth));
  const plane = REC_HEIGHT * width;
  const data = new Float32Array(lines.length * 3 * plane);
  lines.forEach((rect, i) => {
    resampleNormalized(image, rect, lineWidth(rect), REC_HEIGHT, REC_MEAN, REC_STD, data, i * 3 * plane, width, plane);
  });
  return { data, dims: [lines.length, 3, REC_HEIGHT, width] };
}
