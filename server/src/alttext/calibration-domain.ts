// Whether an image lies inside what the model was calibrated on. The manifest's domain folder holds in-domain images
// the model was not trained on. Every other one (in name order) is a prototype; the rest are held out. An image's
// similarity is its highest cosine with a prototype. The threshold is the similarity that HELD_OUT_RECALL of the
// held-out images reach, so about that share of in-domain images count as inside. A verdict on an image below it is the
// model guessing outside what it knows (issue 16: 1,066 of 1,075 real screenshots' alt texts "mismatched").
import { readFile } from "node:fs/promises";
import type { ImageDomain } from "@llm2clip/proto";
import type { Llm2ClipModel } from "../model/types";
import { cosine } from "../scoring";

/** The share of held-out in-domain images that must count as inside the domain. */
export const HELD_OUT_RECALL = 0.95;

export class CalibrationDomain {
  private constructor(
    private readonly prototypes: Float32Array[],
    readonly threshold: number,
  ) {}

  static async load(model: Llm2ClipModel, imagePaths: readonly string[]): Promise<CalibrationDomain> {
    const embeddings: Float32Array[] = [];
    for (const file of imagePaths) embeddings.push((await model.embedImage(await readFile(file))).embedding);
    const prototypes = embeddings.filter((_, i) => i % 2 === 0);
    const heldOut = embeddings.filter((_, i) => i % 2 === 1);
    const similarities = heldOut.map((embedding) => nearest(prototypes, embedding)).sort((a, b) => a - b);
    const threshold = similarities[Math.floor((1 - HELD_OUT_RECALL) * similarities.length)]!;
    return new CalibrationDomain(prototypes, threshold);
  }

  judge(embedding: Float32Array): ImageDomain {
    const similarity = nearest(this.prototypes, embedding);
    return { similarity, threshold: this.threshold, inDomain: similarity >= this.threshold };
  }
}

function nearest(prototypes: readonly Float32Array[], embedding: Float32Array): number {
  return Math.max(...prototypes.map((prototype) => cosine(prototype, embedding)));
}
