// OCR in a real llm2clipd with --ocr on: synced images get their text read once in the background,
// GetAssetText returns it, SearchAssets fuses it with the image ranking, and a broken OCR model stops the start.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import {
  type GetAssetTextResponse,
  type ListCollectionsResponse,
  type SearchAssetsRequest,
  type SearchAssetsResponse,
  type SuggestAltTextRequest,
  type SuggestAltTextResponse,
  SuggestionSource,
  TextStatus,
} from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OCR_MODEL_FILES, packagedOcrModelDir } from "../../server/src/ocr/load";
import { runCli } from "../support/cli";
import { failure, REPO_ROOT, runDaemon, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { appWindowScreenshot, circleSvg, flatImage, textImage } from "../support/images";
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
const suggest = (request: Partial<SuggestAltTextRequest>) =>
  unary<SuggestAltTextResponse>((done) => daemon.client().suggestAltText({ currentAlt: "", collection: "", maxSuggestions: 50, ...request }, done));
const squeeze = (text: string) => text.replace(/\s+/g, "");
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

describe("SuggestAltText with the image's text", () => {
  // Not synced: the daemon reads its text when asked, as it does for lint-alt, which sends bytes.
  const deploySettings = () =>
    appWindowScreenshot({
      title: "Acme Cloud — Project settings",
      heading: "Deploy settings",
      body: ["Every push to the main branch starts a new deployment.", "Deployments run in the region chosen below."],
      buttons: ["Save changes", "Cancel"],
    });

  it("offers a screenshot's largest lines, quoted, before the model's guesses, and scored by cosine like them", async () => {
    const screenshot = await deploySettings();
    const response = await suggest({ image: { data: screenshot }, currentAlt: "the deploy settings dialog" });
    const fromText = response.suggestions.filter((s) => s.source === SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT);
    expect(fromText.map((s) => squeeze(s.text))).toEqual([squeeze("Screenshot showing “Deploy settings”, “Save changes” and “Cancel”")]);
    expect(new Set(response.suggestions.map((s) => s.source)).size).toBeGreaterThan(1);
    // A screenshot lies outside the tiny model's domain, so the image's own text comes first; each part by cosine.
    expect(response.domain?.inDomain).toBe(false);
    expect(response.suggestions[0]!.source).toBe(SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT);
    const others = response.suggestions.filter((s) => s.source !== SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT).map((s) => s.cosine);
    expect(others).toEqual([...others].sort((a, b) => b - a));
    // Its cosine is the model's, as for every other source: the same text as the current alt text scores the same.
    const asCurrent = await suggest({ image: { data: screenshot }, currentAlt: fromText[0]!.text, maxSuggestions: 1 });
    expect(asCurrent.current!.cosine).toBeCloseTo(fromText[0]!.cosine, 4);
  });

  it("offers an indexed image's stored text as written when it is short, first for an image outside the model's domain", async () => {
    const response = await suggest({ image: { asset: { collection: "docs", path: "shots/palette.png" } } });
    const fromText = response.suggestions.filter((s) => s.source === SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT).map((s) => squeeze(s.text));
    expect(fromText).toContain("OpentheCommandPalettetoruntasks");
    // The tiny model's cosines on a screenshot are guesses; the screenshot's own text is not.
    expect(response.domain?.inDomain).toBe(false);
    expect(response.suggestions[0]!.source).toBe(SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT);
  });

  it("offers nothing from the text of an image that shows none", async () => {
    const response = await suggest({ image: { asset: { collection: "docs", path: "flat/blue.png" } } });
    expect(response.suggestions.some((s) => s.source === SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT)).toBe(false);
  });
});

describe("lint-alt's alt-contradicts-text rule, with the daemon reading the image's text", () => {
  it("flags alt text quoting text the screenshot does not show, and not alt text quoting what it shows", async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), "lint-ocr-"));
    try {
      writeFileSync(
        path.join(ws, "deploy.png"),
        await appWindowScreenshot({
          title: "Acme Cloud — Project settings",
          heading: "Deploy settings",
          body: ["Every push to the main branch starts a new deployment.", "Deployments run in the region chosen below."],
          buttons: ["Save changes", "Cancel"],
        }),
      );
      const page = [
        "# Deploying",
        "",
        '![The "Delete project" button of Acme Cloud](deploy.png)',
        "",
        '![The "Save changes" button in “Deploy settings”](deploy.png)',
        "",
        "![The deploy settings of Acme Cloud, with the region](deploy.png)",
        "",
      ].join("\n");
      writeFileSync(path.join(ws, "page.md"), page);
      const json = await runCli(["--server", daemon.address, "lint-alt", "page.md", "--format", "json"], ws);
      const report = JSON.parse(json.stdout) as { judged: number; problems: { rule: string; line: number; message: string; cosine: number | null; suggestion: { cosine: number } | null }[] };
      expect(report.judged).toBe(3);
      const contradictions = report.problems.filter((p) => p.rule === "alt-contradicts-text");
      expect(contradictions.map((p) => p.line)).toEqual([3]);
      expect(contradictions[0]!.message).toMatch(/^alt text quotes "Delete project", which the image's text does not show \(it reads "Deploy ?settings", /);
      // The guard on fixes holds for every source, the image's text included: no suggestion scoring below the alt text.
      for (const p of report.problems) if (p.suggestion && p.cosine !== null) expect(p.suggestion.cosine).toBeGreaterThan(p.cosine);
      // A warning, so a CI gate with --fail-on warning fails on it; the default (errors) does not.
      expect(json.code).toBe(0);
      const sarif = await runCli(["--server", daemon.address, "lint-alt", "page.md", "--format", "sarif", "--fail-on", "warning"], ws);
      expect(sarif.code).toBe(1);
      const run = JSON.parse(sarif.stdout).runs[0];
      expect(run.tool.driver.rules.find((r: { id: string }) => r.id === "alt-contradicts-text")).toMatchObject({ defaultConfiguration: { level: "warning" }, properties: { model: true } });
      const flagged = run.results.filter((r: { ruleId: string }) => r.ruleId === "alt-contradicts-text");
      expect(flagged.map((r: { level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }) => [r.level, r.locations[0]!.physicalLocation.region.startLine])).toEqual([["warning", 3]]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  }, 180_000);
});

describe("--ocr auto", () => {
  it("reads a screenshot's text and leaves a scene of shapes unread", async () => {
    const auto = await startDaemon(["--ocr", "auto"]);
    try {
      const scene = readFileSync(path.join(REPO_ROOT, "models", "tiny-llm2clip", "testset", "test-00040.png"));
      const shot = await appWindowScreenshot({ title: "Acme Cloud", heading: "Deploy settings", body: ["Every push starts a deployment."], buttons: ["Save changes", "Cancel"] });
      const synced = await runSync(auto.client(), auto.metadata(), {
        collection: "auto",
        images: [
          { path: "shot.png", bytes: shot },
          { path: "scene.png", bytes: scene },
        ],
        full: true,
      });
      expect(synced.summary).toMatchObject({ added: 2, failed: 0, textQueued: 2 });
      for (;;) {
        const listed = await unary<ListCollectionsResponse>((done) => auto.client().listCollections({}, done));
        if (listed.collections[0]!.textsPending === 0) {
          expect(listed.collections[0]!.textsRead).toBe(1);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const text = (p: string) => unary<GetAssetTextResponse>((done) => auto.client().getAssetText({ collection: "auto", path: p }, done));
      expect((await text("shot.png")).lines.map((l) => squeeze(l.text))).toContain("Deploysettings");
      expect(await text("scene.png")).toMatchObject({ status: TextStatus.TEXT_STATUS_NOT_READ, lines: [] });
    } finally {
      await auto.stop();
    }
  }, 180_000);
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
