import type { Llm2ClipModel } from "../model/types";
import { dotAt } from "../store/vector-index";

/** Texts submitted to the model at once: enough for full batches, few enough to stay inside the batcher's bounded queue. */
const SLICE = 16;

export async function embedTexts(model: Llm2ClipModel, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += SLICE) {
    const slice = texts.slice(start, start + SLICE);
    const encoded = await Promise.all(slice.map((text) => model.embedText(text, signal)));
    for (const encoding of encoded) out.push(encoding.embedding);
  }
  return out;
}

/** Cosine of each text with a unit image embedding. */
export async function textCosines(model: Llm2ClipModel, image: Float32Array, texts: readonly string[], signal?: AbortSignal): Promise<number[]> {
  return (await embedTexts(model, texts, signal)).map((text) => dotAt(text, 0, image));
}
