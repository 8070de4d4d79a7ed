// The exact scan the vector index needs; the store declares it and runtime/matrix-scan.ts implements it on ONNX
// Runtime, so that the store knows nothing of ONNX.
export interface MatrixScan {
  /** `matrix` holds `rows` × `query.length` floats, row-major; the result holds one dot product per row. */
  scores(matrix: Float32Array, rows: number, query: Float32Array): Promise<Float32Array>;
}
