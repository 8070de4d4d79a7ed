// SuggestAltText lends another image's alt text only when that image is a near-duplicate (issue 19): a re-encoded copy
// of the same scene lends its alt text; a different scene that the embedded model finds similar does not.
import { readFileSync } from "node:fs";
import path from "node:path";
import { SuggestionSource, type SuggestAltTextResponse } from "@llm2clip/proto";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages } from "../support/grpc-clients";
import { runSync } from "../support/sync-stream";

const TESTSET = path.join(REPO_ROOT, "models", "tiny-llm2clip", "testset");
const COPY_ALT = "the release dashboard, as shipped";
const OTHER_ALT = "the settings page before the redesign";
let daemon: RunningDaemon;

beforeAll(async () => {
  daemon = await startDaemon();
});

afterAll(async () => {
  await daemon?.stop();
});

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

it("lends the alt text of a re-encoded copy, and not that of a different scene the model finds similar", async () => {
  const scenes = Array.from({ length: 40 }, (_, i) => readFileSync(path.join(TESTSET, `test-${String(i).padStart(5, "0")}.png`)));
  const original = scenes[0]!;
  // What a docs repository holds twice: the same screenshot scaled down and saved as JPEG.
  const copy = await sharp(original).resize({ width: 200 }).jpeg({ quality: 80 }).toBuffer();
  const embedded = await embedImages(daemon.client(), [copy, ...scenes].map((chunk, i) => ({ id: String(i), chunk, last: true })));
  const embedding = new Map(embedded.map((response) => [response.id, response.embedding!.values]));
  const cosineToOriginal = (id: number) => dot(embedding.get("1")!, embedding.get(String(id))!);
  expect(cosineToOriginal(0)).toBeGreaterThanOrEqual(0.99);
  // The most similar other scene below the near-duplicate line, which the earlier threshold of 0.5 let lend its alt.
  const others = scenes.map((_, i) => i + 1).slice(1);
  const similar = others.filter((id) => cosineToOriginal(id) < 0.99).sort((a, b) => cosineToOriginal(b) - cosineToOriginal(a))[0]!;
  expect(cosineToOriginal(similar)).toBeGreaterThan(0.5);

  await runSync(daemon.client(), daemon.metadata(), {
    collection: "docs",
    images: [
      { path: "release/dashboard.jpg", bytes: copy, altTexts: [COPY_ALT] },
      { path: "settings/old.png", bytes: scenes[similar - 1]!, altTexts: [OTHER_ALT] },
    ],
  });
  const response = await unary<SuggestAltTextResponse>((done) =>
    daemon.client().suggestAltText({ image: { data: original }, currentAlt: "", collection: "docs", maxSuggestions: 50 }, done),
  );
  const lent = response.suggestions.filter((s) => s.source === SuggestionSource.SUGGESTION_SOURCE_COLLECTION).map((s) => s.text);
  expect(lent).toEqual([COPY_ALT]);
});
