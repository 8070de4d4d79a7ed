import type { ImageInput } from "@llm2clip/proto";
import { Llm2ClipError, invalidArgument } from "../errors";
import type { Llm2ClipModel } from "../model/types";
import type { AssetEntry, Collection } from "../store/collection";
import type { CollectionRegistry } from "../store/collections";
import { validateAssetPath } from "../store/names";

export interface ResolvedImage {
  embedding: Float32Array;
  /** The indexed asset, when the image was given by reference. */
  asset?: AssetEntry;
  collection?: Collection;
}

/** An image given as bytes (embedded now) or as an indexed asset (its stored embedding). */
export async function resolveImage(
  input: ImageInput | undefined,
  field: string,
  model: Llm2ClipModel,
  registry: CollectionRegistry,
  defaultCollection?: string,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  if (input?.data !== undefined) {
    if (input.data.length === 0) throw invalidArgument(`${field}.data`, "the image is empty (0 bytes)");
    const embedded = await model.embedImage(input.data, signal);
    return { embedding: embedded.embedding };
  }
  if (input?.asset !== undefined) {
    const collectionName = input.asset.collection || defaultCollection || "";
    const collection = registry.get(collectionName, `${field}.asset.collection`);
    const mismatch = collection.modelMismatch(registry.served);
    if (mismatch) throw new Llm2ClipError("failed_precondition", `${field}.asset.collection: ${mismatch}`, `${field}.asset.collection`);
    const path = validateAssetPath(input.asset.path, `${field}.asset.path`);
    const asset = collection.asset(path);
    if (!asset) {
      throw new Llm2ClipError("not_found", `${field}.asset.path: '${path}' is not indexed in collection '${collection.name}'`, `${field}.asset.path`);
    }
    return { embedding: collection.embedding(asset.content), asset, collection };
  }
  throw invalidArgument(field, "an image is required: set data (encoded bytes) or asset (collection and path)");
}
