import { describe, expect, it } from "vitest";
import { chooseFile } from "../../src/model/load";
import type { GraphSpec } from "../../src/model/manifest";

const file = (name: string) => ({ file: name, path: `/m/${name}` });

describe("which file of a graph runs on a device", () => {
  const withHalf: GraphSpec = { ...file("vision.onnx"), dtype: "float32", variants: { float16: file("vision.fp16.onnx") } };
  const halfOnly: GraphSpec = { ...file("llm.fp16.onnx"), dtype: "float16", variants: {} };
  const halfWithFull: GraphSpec = { ...file("adapter.fp16.onnx"), dtype: "float16", variants: { float32: file("adapter.onnx") } };

  it("CUDA prefers the float16 file where the manifest has one", () => {
    expect(chooseFile("vision", withHalf, "cuda")).toEqual({
      ...file("vision.fp16.onnx"),
      dtype: "float16",
      field: "graphs.vision.variants.float16",
    });
    expect(chooseFile("llm", halfOnly, "cuda")).toMatchObject({ file: "llm.fp16.onnx", dtype: "float16", field: "graphs.llm.file" });
  });

  it("the CPU prefers float32, and runs a float16-only graph as it is", () => {
    expect(chooseFile("vision", withHalf, "cpu")).toMatchObject({ file: "vision.onnx", dtype: "float32", field: "graphs.vision.file" });
    expect(chooseFile("adapter", halfWithFull, "cpu")).toMatchObject({
      file: "adapter.onnx",
      dtype: "float32",
      field: "graphs.adapter.variants.float32",
    });
    expect(chooseFile("llm", halfOnly, "cpu")).toMatchObject({ file: "llm.fp16.onnx", dtype: "float16" });
  });
});
