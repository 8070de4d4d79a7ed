// --ocr auto: whether an image looks like a screenshot or a diagram, from two statistics of a small grey copy, so that
// photos and flat pictures without text are not read (OCR costs seconds of a core an image; this costs a millisecond).
// - Text rows: text is a dense run of strokes, so a row of pixels across a line of text changes brightness sharply
//   many times; a flat shape's outline only twice. The fraction of rows with at least TEXT_ROW_EDGES sharp changes.
// - Flatness: screenshots and diagrams are drawn, so most neighbouring pixels are equal; photos are textured.
// The thresholds and their measured accuracy: test/bench/ocr/auto-results.md (npm run bench:ocr-auto).
import type { RgbImage } from "./raster";

/** The grey copy's longer side: text of a 1400 px screenshot still leaves strokes at this size. */
const ANALYSIS_SIDE = 320;
/** A brightness step of at least this much (of 255) between neighbours is a sharp change. */
const SHARP_STEP = 40;
/** Neighbours within this much count as equal. */
const FLAT_STEP = 2;
const TEXT_ROW_EDGES = 16;
export const MIN_TEXT_ROWS = 0.02;
export const MIN_FLATNESS = 0.5;

export interface TextLikeness {
  /** Fraction of the grey copy's rows that cross text-like runs of strokes. */
  textRows: number;
  /** Fraction of horizontal neighbours that are equal. */
  flatness: number;
}

/** The statistics on a nearest-neighbour grey copy no larger than ANALYSIS_SIDE (never enlarged). */
export function textLikeness(image: RgbImage): TextLikeness {
  const scale = Math.min(1, ANALYSIS_SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const grey = (x: number, y: number) => {
    const i = 3 * (Math.min(image.height - 1, Math.floor(y / scale)) * image.width + Math.min(image.width - 1, Math.floor(x / scale)));
    return 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
  };
  let textRows = 0;
  let flat = 0;
  for (let y = 0; y < height; y++) {
    let sharp = 0;
    let previous = grey(0, y);
    for (let x = 1; x < width; x++) {
      const value = grey(x, y);
      const step = Math.abs(value - previous);
      if (step >= SHARP_STEP) sharp += 1;
      if (step <= FLAT_STEP) flat += 1;
      previous = value;
    }
    if (sharp >= TEXT_ROW_EDGES) textRows += 1;
  }
  return { textRows: textRows / height, flatness: width > 1 ? flat / ((width - 1) * height) : 1 };
}

/** Whether to read a decoded image's text. */
export type OcrSelection = (image: RgbImage) => boolean;

export const readEveryImage: OcrSelection = () => true;

/** --ocr auto's decision: read the image's text only when it looks like a screenshot or a diagram. */
export function looksLikeScreenshotOrDiagram(image: RgbImage): boolean {
  const { textRows, flatness } = textLikeness(image);
  return textRows >= MIN_TEXT_ROWS && flatness >= MIN_FLATNESS;
}
