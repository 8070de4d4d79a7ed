// Reads the text of an image: detection per tile, then recognition of each detected line in batches, in reading order.
// What runs lives here; where it runs (ORT sessions) is given as two graphs.
import { ctcGreedyDecode } from "./ctc";
import { detectionInput, type TextBox, textBoxes } from "./detection";
import type { Rect, RgbImage } from "./raster";
import { lineWidth, recognitionBatch } from "./recognition";
import { detectionTiles } from "./tiles";

export interface OcrTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** One ONNX graph with one float input `x` and one float output (the runtime's GraphSession fits). */
export interface OcrGraph {
  run(feeds: Record<string, OcrTensor>, outputNames: readonly string[]): Promise<Record<string, OcrTensor>>;
}

export interface OcrLine {
  text: string;
  confidence: number;
  /** In the image's pixels, rounded. */
  box: Rect;
}

export const DET_OUTPUT = "sigmoid_0.tmp_0";
export const REC_OUTPUT = "softmax_11.tmp_0";
/** PaddleOCR's drop_score: lines read with less confidence are noise (icons, rules, textures). */
const MIN_LINE_CONFIDENCE = 0.5;
const REC_BATCH = 8;
/** A box must touch a tile's cut edge by this much (source pixels) to count as cut off. */
const EDGE = 2;

function roundRect(r: Rect): Rect {
  const x = Math.round(r.x);
  const y = Math.round(r.y);
  return { x, y, width: Math.round(r.x + r.width) - x, height: Math.round(r.y + r.height) - y };
}

/** Top to bottom, and left to right among boxes that share a line (their vertical centres within half a height). */
function readingOrder(a: OcrLine, b: OcrLine): number {
  const ca = a.box.y + a.box.height / 2;
  const cb = b.box.y + b.box.height / 2;
  if (Math.abs(ca - cb) < Math.min(a.box.height, b.box.height) / 2) return a.box.x - b.box.x;
  return ca - cb;
}

export class OcrEngine {
  constructor(
    private readonly detector: OcrGraph,
    private readonly recogniser: OcrGraph,
    private readonly labels: readonly string[],
  ) {}

  async detect(image: RgbImage): Promise<TextBox[]> {
    const boxes: TextBox[] = [];
    for (const tile of detectionTiles(image.width, image.height)) {
      const input = detectionInput(image, tile.region, tile.scale);
      const out = await this.detector.run({ x: input }, [DET_OUTPUT]);
      const map = out[DET_OUTPUT];
      const [, , mapHeight, mapWidth] = map.dims;
      for (const box of textBoxes(map.data, mapWidth, mapHeight, input)) {
        const y = box.y + tile.region.y;
        const centre = y + box.height / 2;
        if (tile.cutTop && box.y <= EDGE) continue;
        if (tile.cutBottom && box.y + box.height >= tile.region.height - EDGE) continue;
        if (centre < tile.ownTop || centre >= tile.ownBottom) continue;
        boxes.push({ ...box, x: box.x + tile.region.x, y });
      }
    }
    return boxes;
  }

  async recognise(image: RgbImage, boxes: readonly Rect[]): Promise<OcrLine[]> {
    // Similar widths together, so that a batch wastes little padding.
    const order = boxes.map((_, i) => i).sort((a, b) => lineWidth(boxes[a]) - lineWidth(boxes[b]));
    const lines: OcrLine[] = [];
    for (let start = 0; start < order.length; start += REC_BATCH) {
      const rects = order.slice(start, start + REC_BATCH).map((i) => boxes[i]);
      const batch = recognitionBatch(image, rects);
      const out = (await this.recogniser.run({ x: batch }, [REC_OUTPUT]))[REC_OUTPUT];
      const [, steps, classes] = out.dims;
      if (classes !== this.labels.length) {
        throw new Error(`the recognition graph has ${classes} classes but the dictionary gives ${this.labels.length}`);
      }
      rects.forEach((rect, i) => {
        const decoded = ctcGreedyDecode(out.data, i * steps * classes, steps, this.labels);
        if (decoded.text !== "" && decoded.confidence >= MIN_LINE_CONFIDENCE) lines.push({ ...decoded, box: roundRect(rect) });
      });
    }
    return lines.sort(readingOrder);
  }

  async read(image: RgbImage): Promise<OcrLine[]> {
    return this.recognise(image, await this.detect(image));
  }
}
