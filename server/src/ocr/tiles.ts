// How an image is cut for the detector. The detector sees text best near its native size, so an image is only
// scaled down to fit DET_MAX_SIDE across; a tall one (a scrolled page, a long diagram) is then cut into overlapping
// horizontal bands instead of being shrunk until its text is illegible. A text line cut by a band's edge is read
// whole in the next band, because the overlap is taller than a line of text at that scale.
import type { Rect } from "./raster";

export const DET_MAX_SIDE = 1536;
const OVERLAP = 128;
export const MAX_TILES = 32;

export interface Tile {
  region: Rect;
  /** Detector pixels per source pixel. */
  scale: number;
  /** The part of the region whose boxes this tile owns (by centre), so that the overlaps give no duplicates. */
  ownTop: number;
  ownBottom: number;
  cutTop: boolean;
  cutBottom: boolean;
}

function detectorScale(width: number): number {
  return Math.min(1, DET_MAX_SIDE / Math.max(width, 1));
}

export function tileCount(width: number, height: number): number {
  const scale = detectorScale(width);
  const band = DET_MAX_SIDE / scale;
  if (height <= band) return 1;
  return 1 + Math.ceil((height - band) / (band - OVERLAP / scale));
}

export function detectionTiles(width: number, height: number): Tile[] {
  const scale = detectorScale(width);
  const count = tileCount(width, height);
  const band = Math.min(height, DET_MAX_SIDE / scale);
  const step = band - OVERLAP / scale;
  const tops = Array.from({ length: count }, (_, i) => Math.min(i * step, height - band));
  // Each pair of neighbours splits their overlap in the middle.
  const boundary = (i: number) => (tops[i] + band + tops[i + 1]) / 2;
  return tops.map((y, i) => ({
    region: { x: 0, y, width, height: band },
    scale,
    ownTop: i === 0 ? 0 : boundary(i - 1),
    ownBottom: i === count - 1 ? height : boundary(i),
    cutTop: i > 0,
    cutBottom: i < count - 1,
  }));
}
