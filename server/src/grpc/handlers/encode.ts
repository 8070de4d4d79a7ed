// Calls into the model on behalf of the handlers: per-field error attribution, and no further work once one item failed.
import type { Embedding } from "@llm2clip/proto";
import type { ImageEmbedding, Llm2ClipModel, TextEncoding } from "../../model/types";
import { atField } from "../validation";

export function toEmbedding(values: Float32Array): Embedding {
  return { values: Array.from(values) };
}

/**
 * Encodes all texts concurrently, so that the model can batch them. The first failure aborts the texts that have not
 * started yet and is reported as `${field}[i]`.
 */
export async function encodeTexts(
  model: Llm2ClipModel,
  field: string,
  texts: readonly string[],
  signal: AbortSignal,
): Promise<TextEncoding[]> {
  const failed = new AbortController();
  const itemSignal = AbortSignal.any([signal, failed.signal]);
  return Promise.all(
    texts.map((text, i) =>
      model.embedText(text, itemSignal).catch((error: unknown) => {
        failed.abort(error);
        throw atField(`${field}[${i}]`, error);
      }),
    ),
  );
}

export async function encodeImage(
  model: Llm2ClipModel,
  field: string,
  bytes: Uint8Array,
  signal: AbortSignal,
): Promise<ImageEmbedding> {
  return model.embedImage(bytes, signal).catch((error: unknown) => {
    throw atField(field, error);
  });
}
