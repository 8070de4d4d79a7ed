import { describe, expect, it } from "vitest";
import { createMatrixScan } from "../../src/runtime/matrix-scan";
import { dotAt } from "../../src/store/vector-index";

describe("createMatrixScan (ONNX Runtime MatMul)", () => {
  const dim = 16;
  const rows = 37;
  // A view that starts past the buffer's beginning, as VectorIndex.matrix() may be, with spare rows after it.
  const buffer = Float32Array.from({ length: (rows + 5) * dim }, (_, i) => Math.sin(i * 0.37));
  const matrix = buffer.subarray(3 * dim);
  const query = Float32Array.from({ length: dim }, (_, i) => Math.cos(i));

  it("gives each row's dot product with the query, reading only the first `rows` rows of a view", async () => {
    const scores = await createMatrixScan().scores(matrix, rows, query);
    expect(scores).toHaveLength(rows);
    for (let r = 0; r < rows; r++) expect(scores[r]).toBeCloseTo(dotAt(matrix, r * dim, query), 5);
  });

  it("refuses a matrix shorter than rows × dim", async () => {
    await expect(createMatrixScan().scores(matrix.subarray(0, 10 * dim), 11, query)).rejects.toThrow(/160 floats, not 11 rows of 16/);
  });
});
