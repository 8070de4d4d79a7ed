import { describe, expect, it } from "vitest";
import { TopK } from "../../src/store/top-k";
import { VectorIndex, dotAt } from "../../src/store/vector-index";

describe("VectorIndex", () => {
  it("scores every row and keeps rows current when one is removed from the middle", () => {
    const index = new VectorIndex<{ row: number; id: string }>(5, 1);
    const items = ["a", "b", "c"].map((id) => ({ row: -1, id }));
    items.forEach((item, i) => index.add(item, Float32Array.from([i + 1, 0, 0, 0, 1])));
    expect(Array.from(index.scores(Float32Array.from([1, 0, 0, 0, 2])))).toEqual([3, 4, 5]);
    index.remove(items[0]!);
    expect(index.size).toBe(2);
    expect(items[2]!.row).toBe(0);
    expect(Array.from(index.vector(items[2]!))).toEqual([3, 0, 0, 0, 1]);
    expect(Array.from(index.scores(Float32Array.from([1, 0, 0, 0, 0])))).toEqual([3, 2]);
  });
});

describe("VectorIndex.scores", () => {
  it("agrees with one dot product per row for every row count around the block of four", () => {
    for (const rows of [1, 3, 4, 5, 9]) {
      const index = new VectorIndex<{ row: number }>(7);
      const vectors = Array.from({ length: rows }, (_, r) => Float32Array.from({ length: 7 }, (_, i) => Math.sin(r * 7 + i)));
      vectors.forEach((vector) => index.add({ row: -1 }, vector));
      const query = Float32Array.from({ length: 7 }, (_, i) => Math.cos(i));
      const scores = index.scores(query);
      vectors.forEach((vector, r) => expect(scores[r]).toBeCloseTo(dotAt(vector, 0, query), 5));
    }
  });
});

describe("TopK", () => {
  it("keeps the k best of a stream, best first", () => {
    const scores = [0.3, -0.2, 0.9, 0.1, 0.5, 0.7, 0.2];
    const top = new TopK<number>(3);
    scores.forEach((score, i) => top.offer(score, i));
    expect(top.sorted().map((entry) => entry.item)).toEqual([2, 5, 4]);
    expect(top.threshold).toBe(0.5);
  });
});
