import { describe, expect, it } from "vitest";
import { DET_MAX_SIDE, detectionTiles, tileCount } from "../../src/ocr/tiles";

describe("detection tiles", () => {
  it("keeps an ordinary screenshot whole, scaled to fit the detector", () => {
    const [tile, ...rest] = detectionTiles(1920, 1080);
    expect(rest).toEqual([]);
    expect(tile.region).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(tile.scale).toBeCloseTo(DET_MAX_SIDE / 1920);
  });

  it("cuts a tall image into overlapping bands whose owned parts cover it exactly once", () => {
    for (const [width, height] of [[480, 20_000], [1280, 5_000], [3000, 40_000], [800, 1_600]]) {
      const tiles = detectionTiles(width, height);
      expect(tiles).toHaveLength(tileCount(width, height));
      expect(tiles[0].ownTop).toBe(0);
      expect(tiles.at(-1)?.ownBottom).toBe(height);
      for (let i = 1; i < tiles.length; i++) {
        expect(tiles[i].ownTop).toBe(tiles[i - 1].ownBottom);
        // The seam lies inside both bands, away from their edges.
        expect(tiles[i].ownTop).toBeGreaterThan(tiles[i].region.y);
        expect(tiles[i].ownTop).toBeLessThan(tiles[i - 1].region.y + tiles[i - 1].region.height);
      }
      for (const t of tiles) expect(t.region.y + t.region.height).toBeLessThanOrEqual(height);
    }
  });
});
