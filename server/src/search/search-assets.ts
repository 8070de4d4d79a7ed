import type { SearchAssetsRequest, SearchAssetsResponse } from "@llm2clip/proto";
import { Llm2ClipError, invalidArgument } from "../errors";
import type { Llm2ClipModel } from "../model/types";
import type { CollectionRegistry } from "../store/collections";
import { parseExpression } from "./expression";
import { resolveImage } from "./image-input";
import { pathFilter } from "./path-filter";
import { combineTerms, type WeightedVector } from "./query";

export const DEFAULT_TOP_K = 10;

export interface SearchContext {
  model: Llm2ClipModel;
  registry: CollectionRegistry;
  maxTopK: number;
  /** The most query terms, text and image together. */
  maxTerms: number;
}

/** Ranks a collection's assets by cosine against the weighted combination of the request's terms and expression. */
export async function searchAssets(request: SearchAssetsRequest, ctx: SearchContext, signal?: AbortSignal): Promise<SearchAssetsResponse> {
  const topK = request.topK === 0 ? DEFAULT_TOP_K : request.topK;
  if (topK > ctx.maxTopK) {
    throw new Llm2ClipError("out_of_range", `top_k: ${topK} is over the limit of ${ctx.maxTopK}`, "top_k");
  }
  if (request.minScore !== undefined && !(request.minScore >= -1 && request.minScore <= 1)) {
    throw invalidArgument("min_score", `${request.minScore} is outside the cosine range [-1, 1]`);
  }
  const accept = pathFilter(request.includeGlobs, request.excludeGlobs);
  const collection = ctx.registry.get(request.collection, "collection");
  const mismatch = collection.modelMismatch(ctx.registry.served);
  if (mismatch) throw new Llm2ClipError("failed_precondition", `collection: ${mismatch}`, "collection");

  const expressionTerms = parseExpression(request.expression);
  const count = request.terms.length + expressionTerms.length;
  if (count === 0) throw invalidArgument("terms", "the query is empty: give at least one term or an expression");
  if (count > ctx.maxTerms) throw invalidArgument("terms", `${count} query terms, the limit is ${ctx.maxTerms}`);

  const weighted: Promise<WeightedVector>[] = request.terms.map(async (term, i) => {
    const field = `terms[${i}]`;
    // proto3 cannot tell an unset weight from 0, and a zero weight would drop the term: unset means 1.
    const weight = term.weight === 0 ? 1 : term.weight;
    if (!Number.isFinite(weight) || Math.abs(weight) > 100) throw invalidArgument(`${field}.weight`, `${term.weight} is outside [-100, 100]`);
    if (term.text !== undefined) {
      if (term.text.trim().length === 0) throw invalidArgument(`${field}.text`, "the text is empty");
      return { weight, vector: (await ctx.model.embedText(term.text, signal)).embedding };
    }
    const image = await resolveImage(term.image, `${field}.image`, ctx.model, ctx.registry, collection.name, signal);
    return { weight, vector: image.embedding };
  });
  for (const term of expressionTerms) {
    // rclip's convention: a term naming an indexed file is an image query.
    const asset = collection.asset(term.text);
    weighted.push(
      asset
        ? Promise.resolve({ weight: term.weight, vector: collection.embedding(asset.content) })
        : ctx.model.embedText(term.text, signal).then((text) => ({ weight: term.weight, vector: text.embedding })),
    );
  }
  const query = combineTerms(await Promise.all(weighted));
  const ranked = await collection.rank(query, topK, (asset) => accept(asset.path), request.minScore ?? -Infinity);
  return {
    hits: ranked.map(({ asset, score }) => ({
      path: asset.path,
      score,
      size: asset.size,
      width: asset.content.width,
      height: asset.content.height,
      sha256: asset.content.sha256,
    })),
    searched: collection.assetCount,
  };
}
