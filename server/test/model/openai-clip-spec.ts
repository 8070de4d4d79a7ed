import type { ImageSpec } from "../../src/model/manifest";

/** OpenAI CLIP's preprocessing as CLIPImageProcessor applies it (floor rounding, alpha dropped), at `size` pixels. */
export function openAiClipSpec(size: number): ImageSpec {
  return {
    size,
    resize: "bicubic_shortest_side",
    resizeRounding: "floor",
    crop: "center",
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
    alpha: "drop",
    background: "#ffffff",
  };
}
