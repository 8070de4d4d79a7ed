// SearchAssets against a real llm2clipd: scores are the cosines of the model's own embeddings (checked against
// EmbedTexts and EmbedImages), weights and negatives combine as documented, filters apply, bad input is refused.
import { status } from "@grpc/grpc-js";
import type { EmbedTextsResponse, ScoreCaptionsRequest, ScoreCaptionsResponse, SearchAssetsRequest, SearchAssetsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages } from "../support/grpc-clients";
import { circleSvg, flatImage } from "../support/images";
import { runSync, type WorkspaceImage } from "../support/sync-stream";

let daemon: RunningDaemon;
let images: WorkspaceImage[];
const embeddingOf = new Map<string, number[]>();

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const normalise = (v: number[]) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

beforeAll(async () => {
  daemon = await startDaemon();
  const colours = ["red", "green", "blue", "yellow", "purple", "orange", "pink", "cyan"];
  images = [
    ...colours.map((colour) => ({ path: `shapes/${colour}.svg`, bytes: circleSvg(colour) })),
    ...(await Promise.all(colours.slice(0, 4).map(async (colour) => ({ path: `flat/${colour}.png`, bytes: await flatImage(colour) })))),
  ];
  const synced = await runSync(daemon.client(), daemon.metadata(), { collection: "gallery", images, full: true });
  expect(synced.summary?.totalAssets).toBe(images.length);
  const embedded = await embedImages(daemon.client(), images.map((image) => ({ id: image.path, chunk: image.bytes, last: true })));
  for (const result of embedded) embeddingOf.set(result.id, result.embedding!.values);
});

afterAll(async () => {
  await daemon?.stop();
});

const search = (request: Partial<SearchAssetsRequest>) =>
  unary<SearchAssetsResponse>((done) =>
    daemon.client().searchAssets({ collection: "gallery", terms: [], expression: "", topK: 100, includeGlobs: [], excludeGlobs: [], ...request }, done),
  );
const embedText = async (text: string) =>
  (await unary<EmbedTextsResponse>((done) => daemon.client().embedTexts({ texts: [text], includeFeatures: false }, done))).results[0]!.embedding!.values;

describe("SearchAssets", () => {
  it("scores a text query with the cosine of the model's text and image embeddings, best first", async () => {
    const text = await embedText("a red circle on white");
    const result = await search({ terms: [{ weight: 1, text: "a red circle on white" }] });
    expect(result.searched).toBe(images.length);
    expect(result.hits).toHaveLength(images.length);
    for (const hit of result.hits) expect(hit.score).toBeCloseTo(dot(text, embeddingOf.get(hit.path)!), 4);
    const scores = result.hits.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("combines weighted terms, negatives included, as the normalised weighted sum", async () => {
    const [red, dog] = await Promise.all([embedText("red"), embedText("a dog")]);
    const query = normalise(red.map((x, i) => 2 * x - dog[i]!));
    const result = await search({ expression: '2:red - "a dog"' });
    for (const hit of result.hits) expect(hit.score).toBeCloseTo(dot(query, embeddingOf.get(hit.path)!), 4);
    const viaTerms = await search({ terms: [{ weight: 2, text: "red" }, { weight: -1, text: "a dog" }] });
    expect(viaTerms.hits.map((h) => h.path)).toEqual(result.hits.map((h) => h.path));
  });

  it("queries by an indexed image, by image bytes, and by the difference of two images", async () => {
    const byPath = await search({ terms: [{ weight: 1, image: { asset: { collection: "gallery", path: "shapes/blue.svg" } } }], topK: 1 });
    expect(byPath.hits[0]).toMatchObject({ path: "shapes/blue.svg", width: 64, height: 64 });
    expect(byPath.hits[0]!.score).toBeCloseTo(1, 4);
    const byBytes = await search({ terms: [{ weight: 1, image: { data: images[2]!.bytes } }], topK: 1 });
    expect(byBytes.hits[0]!.path).toBe(images[2]!.path);
    const contrast = await search({ expression: '"shapes/red.svg" - "shapes/green.svg"' });
    const red = embeddingOf.get("shapes/red.svg")!;
    const green = embeddingOf.get("shapes/green.svg")!;
    const direction = normalise(red.map((x, i) => x - green[i]!));
    for (const hit of contrast.hits) expect(hit.score).toBeCloseTo(dot(direction, embeddingOf.get(hit.path)!), 4);
    const scoreOf = (path: string) => contrast.hits.find((hit) => hit.path === path)!.score;
    expect(scoreOf("shapes/red.svg")).toBeGreaterThan(0);
    expect(scoreOf("shapes/green.svg")).toBeCloseTo(-scoreOf("shapes/red.svg"), 4);
  });

  it("applies top_k, include and exclude globs and min_score", async () => {
    expect((await search({ expression: "circle", topK: 3 })).hits).toHaveLength(3);
    const included = await search({ expression: "circle", includeGlobs: ["shapes/**"], excludeGlobs: ["**/red.svg"] });
    expect(included.hits.map((h) => h.path).sort()).toEqual(images.map((i) => i.path).filter((p) => p.startsWith("shapes/") && p !== "shapes/red.svg").sort());
    const all = await search({ expression: "circle" });
    const cut = all.hits[3]!.score;
    const above = await search({ expression: "circle", minScore: cut });
    expect(above.hits.map((h) => h.path)).toEqual(all.hits.filter((h) => h.score >= cut).map((h) => h.path));
  });

  it.each([
    ["an unknown collection", { collection: "nope", expression: "red" }, status.NOT_FOUND, /^collection: collection 'nope' does not exist/],
    ["an empty query", { expression: "  " }, status.INVALID_ARGUMENT, /^terms: the query is empty/],
    ["an empty text term", { terms: [{ weight: 1, text: " " }] }, status.INVALID_ARGUMENT, /^terms\[0\]\.text: /],
    ["top_k over the limit", { expression: "red", topK: 5000 }, status.OUT_OF_RANGE, /^top_k: 5000 is over the limit of 1000/],
    ["an unclosed quote", { expression: '"red' }, status.INVALID_ARGUMENT, /^expression: the quote is never closed/],
    ["min_score outside [-1, 1]", { expression: "red", minScore: 2 }, status.INVALID_ARGUMENT, /^min_score: 2 is outside/],
    [
      "an image path that is not indexed",
      { terms: [{ weight: 1, image: { asset: { collection: "", path: "missing.png" } } }] },
      status.NOT_FOUND,
      /^terms\[0\]\.image\.asset\.path: 'missing.png' is not indexed in collection 'gallery'/,
    ],
    ["a bad collection name", { collection: "a/b", expression: "red" }, status.INVALID_ARGUMENT, /^collection: /],
    ["terms that cancel out", { expression: "red - red" }, status.INVALID_ARGUMENT, /^terms: the weighted terms cancel/],
  ])("refuses %s with a status naming the field, then serves the next call", async (_name, request, code, message) => {
    const error = await failure(search(request as Partial<SearchAssetsRequest>));
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
    expect((await search({ expression: "red", topK: 1 })).hits).toHaveLength(1);
  });
});

describe("ScoreCaptions by indexed asset", () => {
  const score = (image: ScoreCaptionsRequest["image"]) =>
    unary<ScoreCaptionsResponse>((done) => daemon.client().scoreCaptions({ image, captions: ["a red circle", "a blue square"] }, done));

  it("scores an indexed image exactly as its bytes", async () => {
    const red = images.find((image) => image.path === "shapes/red.svg")!;
    const byAsset = await score({ asset: { collection: "gallery", path: red.path } });
    const byBytes = await score({ data: red.bytes });
    expect(byAsset.scores.map((s) => s.cosine)).toHaveLength(2);
    byAsset.scores.forEach((s, i) => expect(s.cosine).toBeCloseTo(byBytes.scores[i]!.cosine, 5));
  });

  it("answers NOT_FOUND naming the path for an image that is not indexed, then serves the next call", async () => {
    const error = await failure(score({ asset: { collection: "gallery", path: "shapes/missing.svg" } }));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toMatch(/^image\.asset\.path: 'shapes\/missing.svg' is not indexed in collection 'gallery'/);
    expect((await score({ asset: { collection: "gallery", path: "shapes/blue.svg" } })).scores).toHaveLength(2);
  });
});
