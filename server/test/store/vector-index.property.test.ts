// Property test: after any sequence of adds and removes, the index scores every live vector as a brute-force dot
// product does, and each owner's row still holds its own vector. Small integer components keep the sums exact.
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { VectorIndex } from "../../src/store/vector-index";

interface Owner {
  row: number;
  vector: number[];
}

const component = fc.integer({ min: -8, max: 8 });
const operation = (dim: number) =>
  fc.oneof(
    { arbitrary: fc.record({ add: fc.array(component, { minLength: dim, maxLength: dim }) }), weight: 3 },
    { arbitrary: fc.record({ remove: fc.nat() }), weight: 1 },
  );
const scenario = fc.integer({ min: 1, max: 9 }).chain((dim) =>
  fc.record({
    dim: fc.constant(dim),
    capacity: fc.integer({ min: 1, max: 4 }),
    operations: fc.array(operation(dim), { maxLength: 60 }),
    query: fc.array(component, { minLength: dim, maxLength: dim }),
  }),
);

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

test.prop([scenario], { numRuns: 200 })("VectorIndex scores agree with brute force after any adds and removes", ({ dim, capacity, operations, query }) => {
  const index = new VectorIndex<Owner>(dim, capacity);
  const live: Owner[] = [];
  for (const op of operations) {
    if ("add" in op) {
      const owner = { row: -1, vector: op.add };
      index.add(owner, Float32Array.from(op.add));
      live.push(owner);
    } else if (live.length > 0) {
      const [owner] = live.splice(op.remove % live.length, 1);
      index.remove(owner!);
      expect(owner!.row).toBe(-1);
    }
  }

  expect(index.size).toBe(live.length);
  expect(new Set(live.map((owner) => owner.row))).toEqual(new Set(live.map((_, i) => i)));
  const scores = index.scores(Float32Array.from(query));
  expect(scores.length).toBe(live.length);
  for (const owner of live) {
    expect(Array.from(index.vector(owner))).toEqual(owner.vector);
    expect(scores[owner.row]).toBe(dot(owner.vector, query));
  }
});
