// GetAssetText: the text read in one indexed image, with where it stands in the OCR queue.
import { type GetAssetTextRequest, type GetAssetTextResponse, TextStatus } from "@llm2clip/proto";
import { Llm2ClipError } from "../errors";
import type { CollectionRegistry } from "../store/collections";
import { validateAssetPath } from "../store/names";

export interface TextQueue {
  isQueued(collection: string, sha256: string): boolean;
}

export function assetText(registry: CollectionRegistry, request: GetAssetTextRequest, queue?: TextQueue): GetAssetTextResponse {
  const collection = registry.get(request.collection, "collection");
  const asset = collection.asset(validateAssetPath(request.path, "path"));
  if (!asset) throw new Llm2ClipError("not_found", `path: '${request.path}' is not in collection '${collection.name}'`, "path");
  const text = collection.text(asset.content.sha256);
  if (!text) {
    const status = queue?.isQueued(collection.name, asset.content.sha256) ? TextStatus.TEXT_STATUS_PENDING : TextStatus.TEXT_STATUS_NOT_READ;
    return { status, lines: [], error: "" };
  }
  if (text.error !== undefined) return { status: TextStatus.TEXT_STATUS_FAILED, lines: [], error: text.error };
  return { status: TextStatus.TEXT_STATUS_READ, lines: text.lines, error: "" };
}
