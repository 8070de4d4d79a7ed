import type { SearchAssetsRequest, SearchAssetsResponse, SearchHit } from "@llm2clip/proto";
import { Llm2ClipError, invalidArgument } from "../errors";
import type { Llm2ClipModel } from "../model/types";
import type { AssetEntry } from "../store/collection";
import type { CollectionRegistry } from "../store/collections";
import { parseExpression } from "./expression";
import { resolveImage } from "./image-input";
import { pathFilter } from "./path-filter";
import { combineTerms, type WeightedVector } from "./query";
import { parseTextQuery, rankByText, type TextHit } from "./text-match";

export const DEFAULT_TOP_K = 10;
/** Reciprocal rank fusion's constant (Cormack, Clarke and Büttcher, SIGIR 2009). */
export const RRF_K = 60;
/** Text candidates considered per query. */
const MAX_TEXT_CANDIDATES = 1000;

export interface SearchContext {
  model: Llm2ClipModel;
  registry: CollectionRegistry;
  maxTopK: number;
  /** The most query terms, text and image together. */
  maxTerms: number;
}

/**
 * Ranks a collection's assets by cosine against the weighted combination of the request's terms and expression and,
 * when the positive text terms name words that images show (OCR), fuses that ranking with the text ranking by
 * reciprocal rank fusion.
 */
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
  const positiveTexts = [
    ...request.terms.filter((t) => t.text !== undefined && (t.weight === 0 || t.weight > 0)).map((t) => t.text!),
    ...expressionTerms.filter((t) => t.weight > 0 && !collection.asset(t.text)).map((t) => t.text),
  ];
  const textQuery = parseTextQuery(positiveTexts);
  const textHits = textQuery ? rankByText(collection, textQuery, MAX_TEXT_CANDIDATES) : [];
  const minScore = request.minScore ?? -Infinity;
  if (textHits.length === 0) {
    const ranked = await collection.rank(query, topK, (asset) => accept(asset.path), minScore);
    return { hits: ranked.map(({ asset, score }, i) => hit(asset, score, i + 1)), searched: collection.assetCount };
  }

  // Hybrid: every asset's image rank, fused with the text ranking. min_score applies to hits without a text match.
  const textRank = new Map<string, { rank: number; hit: TextHit }>(textHits.map((h, i) => [h.sha256, { rank: i + 1, hit: h }]));
  const ranked = await collection.rank(query, collection.assetCount, (asset) => accept(asset.path));
  const fused = ranked
    .map(({ asset, score }, i) => {
      const text = textRank.get(asset.content.sha256);
      const fusedScore = 1 / (RRF_K + i + 1) + (text ? 1 / (RRF_K + text.rank) : 0);
      return { asset, score, imageRank: i + 1, text, fusedScore };
    })
    .filter((h) => h.text || h.score >= minScore)
    .sort((a, b) => b.fusedScore - a.fusedScore)
    .slice(0, topK);
  return {
    hits: fused.map((h) => ({
      ...hit(h.asset, h.score, h.imageRank),
      fusedScore: h.fusedScore,
      textMatch: h.text && { snippet: h.text.hit.snippet, box: h.text.hit.box, rank: h.text.rank },
    })),
    searched: collection.assetCount,
  };
}

function hit(asset: AssetEntry, score: number, imageRank: number): SearchHit {
  return {
    path: asset.path,
    score,
    size: asset.size,
    width: asset.content.width,
    height: asset.content.height,
    sha256: asset.content.sha256,
    fusedScore: 1 / (RRF_K + imageRank),
    imageRank,
  };
}
