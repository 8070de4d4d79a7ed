// CLIP-style caption scoring, as in LLM2CLIP's example: logit_scale x cos(image, text), then a softmax over the candidates.
import type { CaptionScore } from "@llm2clip/proto";
import type { TextEncoding } from "./model/types";

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

export function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

export function scoreEncodings(
  image: Float32Array,
  captions: readonly string[],
  encodings: readonly TextEncoding[],
  logitScale: number,
): CaptionScore[] {
  const cosines = encodings.map((encoding) => cosine(image, encoding.embedding));
  const logits = cosines.map((value) => logitScale * value);
  const probabilities = softmax(logits);
  return captions.map((caption, i) => ({
    caption,
    cosine: cosines[i],
    logit: logits[i],
    probability: probabilities[i],
    truncated: encodings[i].truncated,
  }));
}
