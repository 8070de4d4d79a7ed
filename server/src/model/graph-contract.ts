// The I/O contract of the three graphs (models/MANIFEST.md), checked against what ONNX Runtime reports of a loaded
// file: names, element types (float32 for floating I/O, whatever the graph's precision) and every dim the file
// fixes. Batch and sequence axes must be dynamic, or batching could not work.
import { type FloatType, type GraphName, type Manifest, manifestError } from "./manifest";
import type { TensorInfo } from "./session";

type Axis = { dim: number; field: string } | "batch" | "sequence";

interface TensorContract {
  name: string;
  type: "float" | "int64";
  axes: Axis[];
}

export interface GraphContract {
  inputs: TensorContract[];
  outputs: TensorContract[];
}

export function graphContract(manifest: Manifest, graph: GraphName): GraphContract {
  const D = { dim: manifest.embedDim, field: "embed_dim" };
  const F = { dim: manifest.featureDim, field: "feature_dim" };
  const S = { dim: manifest.image.size, field: "image.size" };
  const C = { dim: 3, field: "RGB channels" };
  const ids = (name: string): TensorContract => ({ name, type: "int64", axes: ["batch", "sequence"] });
  switch (graph) {
    case "vision":
      return {
        inputs: [{ name: "pixel_values", type: "float", axes: ["batch", C, S, S] }],
        outputs: [{ name: "image_embeds", type: "float", axes: ["batch", D] }],
      };
    case "llm":
      return {
        inputs: [ids("input_ids"), ids("attention_mask"), ids("embed_mask")],
        outputs: [{ name: "features", type: "float", axes: ["batch", F] }],
      };
    case "adapter":
      return {
        inputs: [{ name: "features", type: "float", axes: ["batch", F] }],
        outputs: [{ name: "text_embeds", type: "float", axes: ["batch", D] }],
      };
  }
}

function formatShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Fails with a manifest error naming the graph's file field when `file` (of precision `dtype`) does not
 * match the contract; `file` is the path as the manifest writes it.
 */
export function checkGraph(
  manifest: Manifest,
  graph: GraphName,
  file: { file: string; field: string; dtype: FloatType },
  actual: { inputs: readonly TensorInfo[]; outputs: readonly TensorInfo[] },
): void {
  function fail(field: string, problem: string): never {
    throw manifestError(manifest.path, field, `${file.file}: ${problem}`);
  }
  const contract = graphContract(manifest, graph);
  const check = (role: "input" | "output", expected: TensorContract, found: readonly TensorInfo[]) => {
    const tensor = found.find((t) => t.name === expected.name);
    if (!tensor) {
      fail(file.field, `has no ${role} named ${expected.name} (it has ${found.map((t) => t.name).join(", ") || "none"})`);
    }
    if (expected.type === "float" && tensor.type !== "float32") {
      fail(
        file.field,
        `${role} ${expected.name} is ${tensor.type}; graphs take and give float32 whatever their precision (a ${file.dtype} ` +
          `graph casts inside), so re-export it with models/llm2clip`,
      );
    }
    if (expected.type === "int64" && tensor.type !== "int64") fail(file.field, `${role} ${expected.name} is ${tensor.type}, not int64`);
    if (tensor.shape.length === 0) return;
    if (tensor.shape.length !== expected.axes.length) {
      fail(file.field, `${role} ${expected.name} has shape ${formatShape(tensor.shape)}, expected ${expected.axes.length} axes`);
    }
    expected.axes.forEach((axis, i) => {
      const dim = tensor.shape[i];
      if (typeof axis === "string") {
        if (typeof dim === "number" && dim > 0) {
          fail(file.field, `${role} ${expected.name} fixes its ${axis} axis at ${dim}; the contract needs it dynamic`);
        }
      } else if (typeof dim === "number" && dim > 0 && dim !== axis.dim) {
        fail(
          file.field,
          `${role} ${expected.name} has shape ${formatShape(tensor.shape)}: axis ${i} is ${dim}, but ${axis.field} is ${axis.dim}`,
        );
      }
    });
  };
  const extra = actual.inputs.filter((t) => !contract.inputs.some((c) => c.name === t.name));
  if (extra.length > 0) fail(file.field, `has inputs the contract does not feed: ${extra.map((t) => t.name).join(", ")}`);
  for (const input of contract.inputs) check("input", input, actual.inputs);
  for (const output of contract.outputs) check("output", output, actual.outputs);
}
