// PP-OCR's text detector is DB (Liao et al., "Real-time Scene Text Detection with Differentiable Binarization", 2020):
// it outputs a per-pixel text probability over a shrunk version of each text region. Post-processing, as PaddleOCR's
// DBPostProcess does it: threshold the map (0.3), take connected regions, keep those whose mean probability reaches
// 0.6, and grow each back by the DB offset D = A·r / L (area A, perimeter L, unclip ratio r = 1.5).
// Boxes here are axis-aligned: documentation screenshots and diagrams set their text horizontally, so the rotated
// quadrilaterals of scene text are not needed.
import { type Rect, type RgbImage, resampleNormalized } from "./raster";

/** ImageNet statistics, as PaddleOCR's detection preprocessing uses them. */
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];
const BINARY_THRESHOLD = 0.3;
const BOX_THRESHOLD = 0.6;
const UNCLIP_RATIO = 1.5;
const MIN_SIDE = 3;
const STRIDE = 32;

export interface DetectionInput {
  data: Float32Array;
  dims: [1, 3, number, number];
  /** Source pixels per map pixel, along each axis. */
  scaleX: number;
  scaleY: number;
}

export interface TextBox extends Rect {
  score: number;
}

function multipleOfStride(size: number): number {
  return Math.max(STRIDE, Math.round(size / STRIDE) * STRIDE);
}

/** The detector's input for `region` of `image` resampled by `scale`, each side rounded to a multiple of 32. */
export function detectionInput(image: RgbImage, region: Rect, scale: number): DetectionInput {
  const width = multipleOfStride(region.width * scale);
  const height = multipleOfStride(region.height * scale);
  const data = new Float32Array(3 * width * height);
  resampleNormalized(image, region, width, height, DET_MEAN, DET_STD, data, 0, width, width * height);
  return { data, dims: [1, 3, height, width], scaleX: region.width / width, scaleY: region.height / height };
}

/** Text boxes in source coordinates (relative to the region's origin) from the detector's probability map. */
export function textBoxes(map: Float32Array, mapWidth: number, mapHeight: number, input: DetectionInput): TextBox[] {
  const labels = new Int32Array(mapWidth * mapHeight);
  const stack = new Int32Array(mapWidth * mapHeight);
  const boxes: TextBox[] = [];
  let next = 0;
  for (let start = 0; start < map.length; start++) {
    if (labels[start] !== 0 || map[start] <= BINARY_THRESHOLD) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    let minX = mapWidth;
    let maxX = 0;
    let minY = mapHeight;
    let maxY = 0;
    let sum = 0;
    let count = 0;
    while (top > 0) {
      const at = stack[--top];
      const x = at % mapWidth;
      const y = (at - x) / mapWidth;
      sum += map[at];
      count++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      const neighbours = [x > 0 ? at - 1 : -1, x < mapWidth - 1 ? at + 1 : -1, y > 0 ? at - mapWidth : -1, y < mapHeight - 1 ? at + mapWidth : -1];
      for (const n of neighbours) {
        if (n >= 0 && labels[n] === 0 && map[n] > BINARY_THRESHOLD) {
          labels[n] = next;
          stack[top++] = n;
        }
      }
    }
    const width = maxX - minX + 1;
    const height = maxY - minY + 1;
    if (Math.max(width, height) < MIN_SIDE || sum / count < BOX_THRESHOLD) continue;
    const offset = (width * height * UNCLIP_RATIO) / (2 * (width + height));
    const x0 = Math.max(0, minX - offset);
    const y0 = Math.max(0, minY - offset);
    const x1 = Math.min(mapWidth, maxX + 1 + offset);
    const y1 = Math.min(mapHeight, maxY + 1 + offset);
    boxes.push({
      x: x0 * input.scaleX,
      y: y0 * input.scaleY,
      width: (x1 - x0) * input.scaleX,
      height: (y1 - y0) * input.scaleY,
      score: sum / count,
    });
  }
  return boxes;
}
