import { describe, expect, it } from "vitest";
import { cosine, scoreEncodings, softmax } from "../src/scoring";
import type { TextEncoding } from "../src/model/types";

const encoding = (values: number[], truncated = false): TextEncoding => ({
  embedding: Float32Array.from(values),
  features: new Float32Array(0),
  truncated,
  tokenCount: 3,
  cached: false,
});

describe("scoring", () => {
  it("computes the cosine whatever the norms", () => {
    expect(cosine(Float32Array.from([2, 0]), Float32Array.from([3, 3]))).toBeCloseTo(Math.SQRT1_2, 6);
    expect(cosine(Float32Array.from([0, 0]), Float32Array.from([1, 0]))).toBe(0);
  });

  it("takes a softmax that survives CLIP-sized logits", () => {
    const probabilities = softmax([100, 99, 0]);
    expect(probabilities[0] / probabilities[1]).toBeCloseTo(Math.E, 5);
    expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 10);
    expect(probabilities.every(Number.isFinite)).toBe(true);
  });

  it("scores logit = scale x cos and a softmax over the captions", () => {
    const image = Float32Array.from([1, 0]);
    const scores = scoreEncodings(image, ["same", "orthogonal"], [encoding([1, 0]), encoding([0, 1], true)], 100);
    expect(scores[0]).toMatchObject({ caption: "same", cosine: 1, logit: 100, truncated: false });
    expect(scores[1]).toMatchObject({ caption: "orthogonal", cosine: 0, logit: 0, truncated: true });
    expect(scores[0].probability).toBeCloseTo(1 / (1 + Math.exp(-100)), 12);
    expect(scores[0].probability + scores[1].probability).toBeCloseTo(1, 12);
  });
});
