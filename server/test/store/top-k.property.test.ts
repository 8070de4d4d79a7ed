// Property test: the bounded heap must agree with the obvious oracle, a full sort of the whole stream.
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { TopK } from "../../src/store/top-k";

// Small integers give many ties; doubles give the general case.
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 }));

test.prop([fc.array(score, { maxLength: 200 }), fc.integer({ min: 0, max: 25 })], { numRuns: 300 })(
  "TopK keeps the same k best scores as a full sort of the stream, best first",
  (scores, k) => {
    const top = new TopK<number>(k);
    scores.forEach((s, i) => top.offer(s, i));
    const kept = top.sorted();

    // `+ 0` makes -0 and 0, which tie, compare equal.
    const expected = [...scores].sort((a, b) => b - a).slice(0, k).map((s) => s + 0);
    expect(kept.map((entry) => entry.score + 0)).toEqual(expected);
    // Each kept entry is a distinct item of the stream, carrying its own score.
    expect(new Set(kept.map((entry) => entry.item)).size).toBe(kept.length);
    for (const entry of kept) expect(scores[entry.item]).toBe(entry.score);
    const threshold = k === 0 ? Infinity : scores.length >= k ? expected[k - 1] : -Infinity;
    expect(top.threshold + 0).toBe(threshold);
  },
);

test.prop([fc.array(score, { maxLength: 200 }), fc.integer({ min: 1, max: 25 })], { numRuns: 300 })(
  "a score that does not beat TopK's threshold leaves the kept items as they were",
  (scores, k) => {
    const top = new TopK<number>(k);
    const keptItems = () => top.sorted().map((entry) => entry.item).sort((a, b) => a - b);
    scores.forEach((s, i) => {
      const threshold = top.threshold;
      const before = keptItems();
      top.offer(s, i);
      if (s <= threshold) expect(keptItems()).toEqual(before);
      else expect(keptItems()).toContain(i);
    });
  },
);
