import { invalidArgument } from "../errors";

export interface WeightedVector {
  weight: number;
  vector: Float32Array;
}

/**
 * The search direction of weighted terms: their weighted sum, L2-normalised (as rclip combines terms). Negative weights
 * push results away from a term.
 */
export function combineTerms(terms: readonly WeightedVector[], field = "terms"): Float32Array {
  const dim = terms[0]!.vector.length;
  const sum = new Float32Array(dim);
  for (const { weight, vector } of terms) {
    for (let i = 0; i < dim; i++) sum[i]! += weight * vector[i]!;
  }
  const norm = Math.hypot(...sum);
  if (!(norm > 1e-6)) throw invalidArgument(field, "the weighted terms cancel each other out; nothing is left to search for");
  return sum.map((x) => x / norm);
}
