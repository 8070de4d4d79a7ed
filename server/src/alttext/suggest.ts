import {
  SuggestionSource,
  Verdict,
  type AltTextSuggestion,
  type SuggestAltTextRequest,
  type SuggestAltTextResponse,
} from "@llm2clip/proto";
import { Llm2ClipError, invalidArgument } from "../errors";
import type { AltTextThresholds, Llm2ClipModel } from "../model/types";
import { softmax } from "../scoring";
import { resolveImage } from "../search/image-input";
import { CalibrationDomain } from "./calibration-domain";
import type { Collection } from "../store/collection";
import type { CollectionRegistry } from "../store/collections";
import { CaptionBankIndex } from "./caption-bank-index";
import { composeCaptions } from "./compose";
import { contextCandidates } from "./context-candidates";
import type { ImageTexts } from "../ocr/image-texts";
import { imageTextSuggestions } from "./image-text-suggestions";
import { textContradiction } from "./text-contradiction";
import { textCosines } from "./text-embeddings";

export const DEFAULT_MAX_SUGGESTIONS = 5;
export const MAX_SUGGESTIONS = 50;
export const MAX_ALT_LENGTH = 2000;
export const MAX_CONTEXT_LENGTH = 20_000;
/**
 * Image-to-image cosine from which a collection image is a near-duplicate, whose alt text may be lent. Measured with
 * the embedded model: a resized JPEG copy of an image scores 0.99 or more (1.000 for a screenshot); different scenes
 * score 0.863 at p99.9 and 0.993 at most; different application screenshots, outside its domain, score a median of
 * 0.900 and up to 0.986 (20 of 66 pairs at 0.95 or more).
 */
const NEAR_DUPLICATE_COSINE = 0.99;
const NEAR_DUPLICATES = 8;
const BANK_CANDIDATES = 10;

export function verdictOf(alt: string, cosine: number, thresholds: AltTextThresholds): Verdict {
  if (alt.trim().length === 0) return Verdict.VERDICT_MISSING;
  if (cosine >= thresholds.good) return Verdict.VERDICT_GOOD;
  if (cosine < thresholds.mismatch) return Verdict.VERDICT_MISMATCH;
  return Verdict.VERDICT_WEAK;
}

/**
 * Scores an image's current alt text and ranks candidate alt texts from five sources by cosine with the image: the
 * text around the image, near-duplicate images' alt texts, the caption bank, the bank's grammar, and the image's own text.
 */
export class AltTextAdvisor {
  private bank?: Promise<CaptionBankIndex | undefined>;
  private domain?: Promise<CalibrationDomain | undefined>;

  constructor(
    private readonly model: Llm2ClipModel,
    private readonly registry: CollectionRegistry,
    private readonly imageTexts?: ImageTexts,
  ) {}

  async suggest(request: SuggestAltTextRequest, signal?: AbortSignal): Promise<SuggestAltTextResponse> {
    const max = request.maxSuggestions === 0 ? DEFAULT_MAX_SUGGESTIONS : request.maxSuggestions;
    if (max > MAX_SUGGESTIONS) throw new Llm2ClipError("out_of_range", `max_suggestions: ${max} is over the limit of ${MAX_SUGGESTIONS}`, "max_suggestions");
    if (request.currentAlt.length > MAX_ALT_LENGTH) {
      throw invalidArgument("current_alt", `${request.currentAlt.length} characters, the limit is ${MAX_ALT_LENGTH}`);
    }
    const context = request.context;
    const contextLength = (context?.surroundingText.length ?? 0) + (context?.heading.length ?? 0) + (context?.fileName.length ?? 0);
    if (contextLength > MAX_CONTEXT_LENGTH) {
      throw invalidArgument("context", `${contextLength} characters in all, the limit is ${MAX_CONTEXT_LENGTH}`);
    }
    const reuse = request.collection ? this.registry.get(request.collection, "collection") : undefined;
    const image = await resolveImage(request.image, "image", this.model, this.registry, request.collection, signal);
    const thresholds = this.model.info.altTextThresholds;
    const currentAlt = request.currentAlt.trim();

    const scored: AltTextSuggestion[] = [];
    const score = async (texts: string[], source: SuggestionSource) => {
      const cosines = await textCosines(this.model, image.embedding, texts, signal);
      texts.forEach((text, i) => scored.push({ text, cosine: cosines[i]!, source }));
    };
    const current = currentAlt ? (await textCosines(this.model, image.embedding, [currentAlt], signal))[0]! : 0;
    await score(contextCandidates(context), SuggestionSource.SUGGESTION_SOURCE_CONTEXT);
    const collection = reuse ?? image.collection;
    if (collection) await score(await this.nearDuplicatesAltTexts(collection, image.embedding), SuggestionSource.SUGGESTION_SOURCE_COLLECTION);
    const lines = await this.imageTexts?.lines({ bytes: request.image?.data, sha256: image.asset?.content.sha256, collection });
    if (lines) await score(imageTextSuggestions(lines), SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT);
    const contradiction = lines && currentAlt ? textContradiction(currentAlt, lines) : undefined;
    const bank = await this.captionBank();
    if (bank) {
      for (const { text, cosine } of bank.best(image.embedding, BANK_CANDIDATES)) {
        scored.push({ text, cosine, source: SuggestionSource.SUGGESTION_SOURCE_CAPTION_BANK });
      }
      if (bank.grammar) {
        const composed = await composeCaptions(bank.grammar, (texts) => textCosines(this.model, image.embedding, texts, signal));
        for (const { text, cosine } of composed) scored.push({ text, cosine, source: SuggestionSource.SUGGESTION_SOURCE_COMPOSED });
      }
    }

    const domain = (await this.calibrationDomain())?.judge(image.embedding);
    // Outside the calibration domain the model's cosines are guesses, and the image's own text is not: it comes first.
    const first = domain?.inDomain === false ? SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT : undefined;
    const suggestions = bestDistinct(scored, currentAlt, max, first);
    const best = suggestions.length > 0 ? Math.max(...suggestions.map((s) => s.cosine)) : undefined;
    const verdict = verdictOf(currentAlt, current, thresholds);
    return {
      ...(domain && { domain }),
      ...(contradiction && { textContradiction: contradiction }),
      current: { cosine: current, verdict, confidence: verdictConfidence(verdict, current, best, this.model.info.logitScale) },
      suggestions,
      thresholds: { good: thresholds.good, mismatch: thresholds.mismatch },
    };
  }

  private async nearDuplicatesAltTexts(collection: Collection, image: Float32Array): Promise<string[]> {
    const mismatch = collection.modelMismatch(this.registry.served);
    if (mismatch) throw new Llm2ClipError("failed_precondition", `collection: ${mismatch}`, "collection");
    const duplicates = await collection.rank(image, NEAR_DUPLICATES, (asset) => asset.altTexts.length > 0, NEAR_DUPLICATE_COSINE);
    return [...new Set(duplicates.flatMap(({ asset }) => asset.altTexts))];
  }

  /** Embedded on first use: the real model's vision tower is too slow to embed the domain's images at every start. */
  private calibrationDomain(): Promise<CalibrationDomain | undefined> {
    const domain = this.model.info.domain;
    if (!domain) return Promise.resolve(undefined);
    this.domain ??= CalibrationDomain.load(this.model, domain).catch((error) => {
      this.domain = undefined;
      throw error;
    });
    return this.domain;
  }

  private captionBank(): Promise<CaptionBankIndex | undefined> {
    const file = this.model.info.captionBankPath;
    if (!file) return Promise.resolve(undefined);
    this.bank ??= CaptionBankIndex.load(this.model, file).catch((error) => {
      this.bank = undefined;
      throw error;
    });
    return this.bank;
  }
}

/**
 * The model's probability that its verdict holds, from the softmax it scores captions with (logit scale × cosine) over
 * two candidates, the current alt text and the best suggestion: that the current one wins for GOOD, that the
 * suggestion wins otherwise. 0 when there is nothing to compare.
 */
export function verdictConfidence(verdict: Verdict, current: number, best: number | undefined, logitScale: number): number {
  if (best === undefined || verdict === Verdict.VERDICT_MISSING) return 0;
  const [, suggestionWins] = softmax([logitScale * current, logitScale * best]) as [number, number];
  return verdict === Verdict.VERDICT_GOOD ? 1 - suggestionWins : suggestionWins;
}

/**
 * Highest cosine first (the `first` source's suggestions before all others, when given), one entry per text (case and
 * spacing ignored), never the current alt text itself.
 */
function bestDistinct(suggestions: AltTextSuggestion[], currentAlt: string, max: number, first?: SuggestionSource): AltTextSuggestion[] {
  const key = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();
  const seen = new Set([key(currentAlt)]);
  const out: AltTextSuggestion[] = [];
  const rank = (s: AltTextSuggestion) => (s.source === first ? 0 : 1);
  for (const suggestion of [...suggestions].sort((a, b) => rank(a) - rank(b) || b.cosine - a.cosine)) {
    if (seen.has(key(suggestion.text))) continue;
    seen.add(key(suggestion.text));
    out.push(suggestion);
    if (out.length === max) break;
  }
  return out;
}
