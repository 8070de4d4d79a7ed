// OCR in a real llm2clipd with --ocr on: synced images get their text read once in the background,
// GetAssetText returns it, SearchAssets fuses it with the image ranking, and a broken OCR model stops the start.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import { type GetAssetTextResponse, type ListCollectionsResponse, type SearchAssetsRequest, type SearchAssetsResponse, TextStatus } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OCR_MODEL_FILES, packagedOcrModelDir } from "../../server/src/ocr/load";
import { failure, runDaemon, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { circleSvg, flatImage, textImage } from "../support/images";
import { runSync, type WorkspaceImage } from "../support/sync-stream";

let daemon: RunningDaemon;
let images: WorkspaceImage[];

async function textsSettled(collection: string): Promise<ListCollectionsResponse["collections"][number]> {
  for (;;) {
    const listed = await unary<ListCollectionsResponse>((done) => daemon.client().listCollections({}, done));
    const entry = listed.collections.find((c) => c.name === collection)!;
    if (entry.textsPending === 0) return entry;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const search = (request: Partial<SearchAssetsRequest>) =>
  unary<SearchAssetsResponse>((done) =>
    daemon.client().searchAssets({ collection: "docs", terms: [], expression: "", topK: 5, includeGlobs: [], excludeGlobs: [], ...request }, done),
  );
const assetText = (p: string) => unary<GetAssetTextResponse>((done) => daemon.client().getAssetText({ collection: "docs", path: p }, done));

beforeAll(async () => {
  daemon = await startDaemon(["--ocr", "on"]);
  images = [
    { path: "shots/palette.png", bytes: await textImage(620, 120, [{ text: "Open the Command Palette to run tasks", y: 60, font: "DejaVu Sans", size: 22 }]) },
    { path: "shots/settings.png", bytes: await textImage(620, 120, [{ text: "Workspace trust settings", y: 60, font: "Liberation Sans", size: 22 }]) },
    { path: "shots/zh.png", bytes: await textImage(520, 120, [{ text: "打开设置并选择图像搜索", y: 60, font: "Noto Sans CJK SC", size: 26 }]) },
    { path: "shapes/red.svg", bytes: circleSvg("red") },
    { path: "flat/blue.png", bytes: await flatImage("blue", 200, 120) },
  ];
  const synced = await runSync(daemon.client(), daemon.metadata(), { collection: "docs", images, full: true });
  expect(synced.summary).toMatchObject({ added: 5, failed: 0, textQueued: 5 });
  const settled = await textsSettled("docs");
  expect(settled.textsRead).toBe(5);
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
});

describe("OCR while indexing", () => {
  it("stores each image's lines with boxes and confidences; an image without text has none", async () => {
    const palette = await assetText("shots/palette.png");
    expect(palette.status).toBe(TextStatus.TEXT_STATUS_READ);
    expect(palette.lines.map((l) => l.text.replace(/\s+/g, ""))).toEqual(["OpentheCommandPalettetoruntasks"]);
    expect(palette.lines[0]!.box!.y).toBeGreaterThan(20);
    expect(palette.lines[0]!.confidence).toBeGreaterThan(0.8);
    expect(await assetText("flat/blue.png")).toMatchObject({ status: TextStatus.TEXT_STATUS_READ, lines: [] });
    expect((await assetText("shots/zh.png")).lines.map((l) => l.text)).toEqual(["打开设置并选择图像搜索"]);
  });

  it("reads nothing again when unchanged images are synced again", async () => {
    const again = await runSync(daemon.client(), daemon.metadata(), { collection: "docs", images, full: true });
    expect(again.summary).toMatchObject({ unchanged: 5, embedded: 0, textQueued: 0 });
    expect(again.needed?.sha256).toEqual([]);
  });

  it("GetAssetText names a path that is not in the collection", async () => {
    const error = await failure(assetText("shots/missing.png"));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toContain("path: 'shots/missing.png' is not in collection 'docs'");
  });
});

describe("hybrid search", () => {
  it("puts the image that shows a quoted phrase first, and says where the phrase is", async () => {
    const result = await search({ terms: [{ weight: 1, text: '"command palette"' }] });
    expect(result.hits[0]).toMatchObject({ path: "shots/palette.png", textMatch: { rank: 1 } });
    expect(result.hits[0]!.textMatch!.snippet.replace(/\s+/g, "")).toBe("OpentheCommandPalettetoruntasks");
    expect(result.hits[0]!.textMatch!.box!.width).toBeGreaterThan(200);
    // The image score is still the cosine; hits without a text match carry none.
    expect(result.hits.slice(1).every((h) => h.textMatch === undefined)).toBe(true);
    expect(result.hits[0]!.fusedScore).toBeGreaterThan(result.hits[1]!.fusedScore);
  });

  it("matches a Chinese query against Chinese text", async () => {
    const result = await search({ terms: [{ weight: 1, text: "选择图像" }] });
    expect(result.hits[0]).toMatchObject({ path: "shots/zh.png", textMatch: { snippet: "打开设置并选择图像搜索" } });
  });

  it("matches a quoted phrase exactly: the words in another order do not match", async () => {
    const result = await search({ terms: [{ weight: 1, text: '"palette command"' }] });
    expect(result.hits.every((h) => h.textMatch === undefined)).toBe(true);
  });
});

describe("OCR models at start", () => {
  it("a corrupt OCR model stops the daemon with a message naming the file", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ocr-models-"));
    try {
      for (const file of Object.values(OCR_MODEL_FILES)) copyFileSync(path.join(packagedOcrModelDir(), file), path.join(dir, file));
      writeFileSync(path.join(dir, OCR_MODEL_FILES.detection), "not an onnx model");
      const run = await runDaemon(["--listen", "127.0.0.1:0", "--ocr", "on", "--ocr-models", dir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot load the OCR models (--ocr on): OCR model ${path.join(dir, OCR_MODEL_FILES.detection)}: cannot be loaded by ONNX Runtime`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
