import { describe, expect, it } from "vitest";
import type { MatrixScan } from "../../src/store/scan";
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

describe("VectorIndex", () => {
  it("refuses a vector or a query of another dimension, and an owner whose row is not its own", () => {
    const index = new VectorIndex<{ row: number }>(3);
    expect(() => index.add({ row: -1 }, new Float32Array(4))).toThrow(/^vector has 4 dimensions, the index 3$/);
    expect(index.size).toBe(0);
    const owner = { row: -1 };
    index.add(owner, Float32Array.from([1, 2, 3]));
    expect(() => index.scores(new Float32Array(2))).toThrow(/^query has 2 dimensions, the index 3$/);
    expect(() => index.remove({ row: 0 })).toThrow(/^row 0 does not belong to this owner$/);
    expect(index.size).toBe(1);
    expect(Array.from(index.vector(owner))).toEqual([1, 2, 3]);
  });

  it("grows past its initial capacity, keeping every row", () => {
    const index = new VectorIndex<{ row: number }>(2, 0);
    const owners = Array.from({ length: 5 }, (_, n) => {
      const owner = { row: -1 };
      index.add(owner, Float32Array.from([n, -n]));
      return owner;
    });
    owners.forEach((owner, n) => expect(Array.from(index.vector(owner))).toEqual([n, -n]));
  });
});

// scoresWith hands large indexes to a MatrixScan; ONNX Runtime's is tested in server/test/runtime and, with a real
// collection, in collection.test.ts. Here a plain dot-product scan stands in, so that the index's own choices show: when
// it delegates, and that it scores again when rows moved while the scan ran.
describe("VectorIndex.scoresWith", () => {
  const DIM = 2;
  const fill = (rows: number) => {
    const index = new VectorIndex<{ row: number }>(DIM);
    const owners = Array.from({ length: rows }, (_, n) => {
      const owner = { row: -1 };
      index.add(owner, Float32Array.from([n, 1]));
      return owner;
    });
    return { index, owners };
  };
  const countingScan = (during?: () => void) => {
    const calls: number[] = [];
    const scan: MatrixScan = {
      async scores(matrix, rows, query) {
        calls.push(rows);
        expect(matrix.length).toBe(rows * query.length);
        const out = Float32Array.from({ length: rows }, (_, r) => dotAt(matrix, r * query.length, query));
        during?.();
        return out;
      },
    };
    return { scan, calls };
  };
  const query = Float32Array.from([1, 2]);

  it("scores fewer than 4,096 rows itself and hands 4,096 rows to the scan", async () => {
    const small = fill(4095);
    const { scan, calls } = countingScan();
    expect(Array.from(await small.index.scoresWith(scan, query))).toEqual(Array.from(small.index.scores(query)));
    expect(calls).toEqual([]);
    const large = fill(4096);
    const scores = await large.index.scoresWith(scan, query);
    expect(calls).toEqual([4096]);
    expect(Array.from(scores)).toEqual(Array.from(large.index.scores(query)));
    expect(Array.from(await large.index.scoresWith(undefined, query))).toEqual(Array.from(scores));
  });

  it("checks the query's dimension before handing it to the scan", async () => {
    const { index } = fill(4096);
    const { scan, calls } = countingScan();
    await expect(index.scoresWith(scan, new Float32Array(3))).rejects.toThrow(/^query has 3 dimensions, the index 2$/);
    expect(calls).toEqual([]);
  });

  it("scores again when a row was removed while the scan ran, so that every score is its row's", async () => {
    const { index, owners } = fill(4100);
    const { scan, calls } = countingScan(() => index.remove(owners[0]!));
    const scores = await index.scoresWith(scan, query);
    expect(calls).toEqual([4100]);
    expect(scores.length).toBe(4099);
    expect(scores[0]).toBe(4099 + 2); // the last row, [4099, 1], moved into row 0
  });

  it("hands back the scan's own scores when no row moved", async () => {
    const { index } = fill(4096);
    // This scan's scores are offset by 1000, so that they cannot be mistaken for the index's own.
    const offset: MatrixScan = { scores: async (matrix, rows, q) => Float32Array.from({ length: rows }, (_, r) => dotAt(matrix, r * q.length, q) + 1000) };
    const scores = await index.scoresWith(offset, query);
    expect(scores[0]).toBe(0 * 1 + 1 * 2 + 1000);
    expect(scores[4095]).toBe(4095 + 2 + 1000);
  });

  it("scores again when a row was removed and another added while the scan ran, leaving the count as it was", async () => {
    const { index, owners } = fill(4096);
    const { scan } = countingScan(() => {
      index.remove(owners[0]!);
      index.add({ row: -1 }, Float32Array.from([-1, 0]));
    });
    const scores = await index.scoresWith(scan, query);
    expect(scores.length).toBe(4096);
    expect(scores[0]).toBe(4095 + 2); // the last row, [4095, 1], moved into row 0
    expect(scores[4095]).toBe(-1);
  });

  it("scores again when a row was added while the scan ran", async () => {
    const { index } = fill(4096);
    const { scan } = countingScan(() => index.add({ row: -1 }, Float32Array.from([-1, 0])));
    const scores = await index.scoresWith(scan, query);
    expect(scores.length).toBe(4097);
    expect(scores[4096]).toBe(-1);
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
