// SuggestAltText against a real llm2clipd: the verdict follows the manifest's thresholds, every cosine agrees with
// ScoreCaptions, and suggestions come from the context, the collection, the caption bank and the grammar.
import { readFileSync } from "node:fs";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import {
  SuggestionSource,
  Verdict,
  type ModelInfo,
  type ScoreCaptionsResponse,
  type SuggestAltTextRequest,
  type SuggestAltTextResponse,
} from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { circleSvg } from "../support/images";
import { runSync } from "../support/sync-stream";

// The random-weight test model: these tests check the mechanics, whose answers don't depend on training.
const MODEL_DIR = path.join(REPO_ROOT, "models", "testing", "random-tiny");
let daemon: RunningDaemon;
let info: ModelInfo;
const logo = circleSvg("red");

beforeAll(async () => {
  daemon = await startDaemon(["--model", MODEL_DIR]);
  info = await unary<ModelInfo>((done) => daemon.client().getModelInfo({}, done));
  await runSync(daemon.client(), daemon.metadata(), {
    collection: "site",
    images: [
      { path: "brand/logo.svg", bytes: logo, altTexts: ["the company logo, a red disc"] },
      { path: "blog/logo-copy.svg", bytes: logo },
      { path: "blog/blue.svg", bytes: circleSvg("blue"), altTexts: ["a blue dot"] },
    ],
  });
});

afterAll(async () => {
  await daemon?.stop();
});

const suggest = (request: Partial<SuggestAltTextRequest>) =>
  unary<SuggestAltTextResponse>((done) =>
    daemon.client().suggestAltText({ currentAlt: "", collection: "", maxSuggestions: 0, ...request }, done),
  );
const cosines = async (captions: string[]) =>
  (await unary<ScoreCaptionsResponse>((done) => daemon.client().scoreCaptions({ image: { data: logo }, captions }, done))).scores.map(
    (score) => score.cosine,
  );

describe("SuggestAltText", () => {
  it("scores the current alt text with the manifest's thresholds and ranks suggestions from all four sources", async () => {
    const response = await suggest({
      image: { asset: { collection: "site", path: "blog/logo-copy.svg" } },
      currentAlt: "a photo of a dog",
      context: { surroundingText: "Our logo is a red circle. It sits on a white page.", heading: "Brand", fileName: "logo-copy.svg" },
      maxSuggestions: 50,
    });
    const thresholds = info.altTextThresholds!;
    expect(response.thresholds).toEqual(thresholds);
    const [current] = await cosines(["a photo of a dog"]);
    expect(response.current!.cosine).toBeCloseTo(current!, 4);
    const expected = current! >= thresholds.good ? Verdict.VERDICT_GOOD : current! < thresholds.mismatch ? Verdict.VERDICT_MISMATCH : Verdict.VERDICT_WEAK;
    expect(response.current!.verdict).toBe(expected);

    const suggestions = response.suggestions;
    const sources = new Set(suggestions.map((s) => s.source));
    expect(sources).toEqual(
      new Set([
        SuggestionSource.SUGGESTION_SOURCE_CONTEXT,
        SuggestionSource.SUGGESTION_SOURCE_COLLECTION,
        SuggestionSource.SUGGESTION_SOURCE_CAPTION_BANK,
        SuggestionSource.SUGGESTION_SOURCE_COMPOSED,
      ]),
    );
    const texts = suggestions.map((s) => s.text);
    expect(texts).toContain("Our logo is a red circle.");
    // The alt text of the same bytes at another path.
    expect(suggestions.find((s) => s.text === "the company logo, a red disc")?.source).toBe(SuggestionSource.SUGGESTION_SOURCE_COLLECTION);
    expect(texts).not.toContain("a photo of a dog");
    expect(new Set(texts.map((t) => t.toLowerCase())).size).toBe(texts.length);
    expect(suggestions.map((s) => s.cosine)).toEqual([...suggestions.map((s) => s.cosine)].sort((a, b) => b - a));
    const checked = await cosines(texts);
    suggestions.forEach((s, i) => expect(s.cosine).toBeCloseTo(checked[i]!, 4));

    const bank = JSON.parse(readFileSync(path.join(MODEL_DIR, "caption_bank.json"), "utf8")) as {
      captions: string[];
      grammar: { slots: Record<string, string[]>; templates: string[] };
    };
    for (const s of suggestions.filter((s) => s.source === SuggestionSource.SUGGESTION_SOURCE_CAPTION_BANK)) expect(bank.captions).toContain(s.text);
    const grammarPatterns = bank.grammar.templates.map(
      (template) => new RegExp(`^${template.replace(/\{(\w+)\}/g, (_, slot: string) => `(${bank.grammar.slots[slot]!.join("|")})`)}$`),
    );
    const composed = suggestions.filter((s) => s.source === SuggestionSource.SUGGESTION_SOURCE_COMPOSED);
    expect(composed.length).toBeGreaterThan(0);
    for (const s of composed) expect(grammarPatterns.some((pattern) => pattern.test(s.text))).toBe(true);
  });

  it("says MISSING for an image without alt text and honours max_suggestions", async () => {
    const response = await suggest({ image: { data: logo }, maxSuggestions: 3 });
    expect(response.current!.verdict).toBe(Verdict.VERDICT_MISSING);
    expect(response.suggestions).toHaveLength(3);
  });

  it.each([
    ["no image", {}, status.INVALID_ARGUMENT, /^image: an image is required/],
    ["an empty image", { image: { data: Buffer.alloc(0) } }, status.INVALID_ARGUMENT, /^image\.data: /],
    ["too many suggestions", { image: { data: logo }, maxSuggestions: 51 }, status.OUT_OF_RANGE, /^max_suggestions: 51 is over the limit of 50/],
    ["an overlong alt text", { image: { data: logo }, currentAlt: "x".repeat(2001) }, status.INVALID_ARGUMENT, /^current_alt: 2001 characters, the limit is 2000/],
    ["an unknown collection", { image: { data: logo }, collection: "nope" }, status.NOT_FOUND, /^collection: collection 'nope' does not exist/],
    [
      "an image path that is not indexed",
      { image: { asset: { collection: "site", path: "nope.png" } } },
      status.NOT_FOUND,
      /^image\.asset\.path: 'nope.png' is not indexed in collection 'site'/,
    ],
  ])("refuses %s with a status naming the field, then serves the next call", async (_name, request, code, message) => {
    const error = await failure(suggest(request as Partial<SuggestAltTextRequest>));
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
    expect((await suggest({ image: { data: logo }, maxSuggestions: 1 })).suggestions).toHaveLength(1);
  });
});
