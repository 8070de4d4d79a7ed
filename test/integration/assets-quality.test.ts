// Search quality and lint-alt on the trained tiny model's sample docs repository (models/tiny-llm2clip/samples), whose
// ANSWERS.json records every image's scene and every planted alt text (good, missing, wrong).
//
// Each quality figure has two fixed numbers: a regression bound just on the safe side of what the shipped model
// measures (it must pass), and issue 10's target, asserted with `it.fails` while the model misses it (green while
// missed, red once met: then the bound moves up and the target becomes a plain test). The model of issue 10's second
// round meets all three targets, so they are plain tests.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { SearchAssetsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isImageFile } from "@llm2clip/client";
import { runCli } from "../support/cli";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { readAnswers } from "../e2e/support/sample-answers";

const MODEL_DIR = path.join(REPO_ROOT, "models", "tiny-llm2clip");
const SAMPLES = path.join(MODEL_DIR, "samples");
const ready = existsSync(path.join(MODEL_DIR, "manifest.json")) && existsSync(path.join(SAMPLES, "ANSWERS.json"));
if (!ready) console.warn("assets-quality: skipped, models/tiny-llm2clip has no manifest.json or samples/ANSWERS.json yet");

type Answers = ReturnType<typeof readAnswers>;
type Scene = Answers["images"][string]["scene"];

const ZH: Record<string, string> = {
  circle: "圆形", square: "正方形", triangle: "三角形", star: "星形", heart: "心形", hexagon: "六边形", diamond: "菱形", cross: "十字",
  red: "红色", green: "绿色", blue: "蓝色", yellow: "黄色", orange: "橙色", purple: "紫色", pink: "粉色", brown: "棕色",
  black: "黑色", white: "白色", gray: "灰色", cyan: "青色", small: "小", large: "大",
  left: "左边", right: "右边", top: "上方", bottom: "下方", center: "中间",
  "top-left": "左上角", "top-right": "右上角", "bottom-left": "左下角", "bottom-right": "右下角",
};

/** Queries written here, not taken from the generator: a full description of the scene in each language. */
function englishQuery(scene: Scene): string {
  const objects = scene.objects.map((o) => `a ${o.size} ${o.colour} ${o.shape} at the ${o.position}`);
  return `${objects.join(" and ")} on a ${scene.background} background`;
}
function chineseQuery(scene: Scene): string {
  const objects = scene.objects.map((o) => `${ZH[o.position]}有一个${ZH[o.size]}的${ZH[o.colour]}${ZH[o.shape]}`);
  return `${ZH[scene.background]}背景上，${objects.join("，")}`;
}

/** Every fifth image of the set, in ANSWERS order: a fixed set of queries with known answers. */
const QUERY_STRIDE = 5;

/**
 * Share of known-answer queries whose image comes first: regression floor (the shipped model: English 37 of 42,
 * Chinese 31 of 42; issue 3's model: 9 and 0), and issue 10's target.
 */
const SEARCH: Record<"English" | "Chinese", { floor: number; target: number }> = {
  English: { floor: 0.83, target: 0.8 },
  Chinese: { floor: 0.71, target: 0.7 },
};
/** Share of the good alt texts lint-alt flags: regression ceiling (the shipped model: 1 of 112; issue 3's: 42 of 106), and issue 10's allowed share. */
const GOOD_FLAGGED = { ceiling: 0.03, allowed: 0.05 };

let daemon: RunningDaemon;
let answers: Answers;

describe.skipIf(!ready)("the sample docs repository with the trained tiny model", () => {
  beforeAll(async () => {
    answers = readAnswers(SAMPLES);
    daemon = await startDaemon(["--model", MODEL_DIR]);
    const indexed = await runCli(["--server", daemon.address, "index", ".", "--collection", "samples", "--json"], SAMPLES);
    expect(indexed.code).toBe(0);
    const imageFiles = readdirSync(SAMPLES, { recursive: true }).filter((file) => isImageFile(String(file)));
    expect(imageFiles.length).toBeGreaterThanOrEqual(Object.keys(answers.images).length);
    expect(JSON.parse(indexed.stdout).summary).toMatchObject({ failed: 0, totalAssets: imageFiles.length });
  });

  afterAll(async () => {
    await daemon?.stop();
  });

  const topHit = async (text: string) =>
    (
      await unary<SearchAssetsResponse>((done) =>
        daemon.client().searchAssets({ collection: "samples", terms: [{ weight: 1, text }], expression: "", topK: 1, includeGlobs: [], excludeGlobs: [] }, done),
      )
    ).hits[0]!.path;

  const firstHits = new Map<string, Promise<number>>();
  /** Share of the known-answer queries in `language` whose image the daemon ranks first, computed once. */
  const searchFirstShare = (language: keyof typeof SEARCH, query: (scene: Scene) => string) => {
    if (!firstHits.has(language)) {
      firstHits.set(language, (async () => {
        const targets = Object.keys(answers.images).filter((_, i) => i % QUERY_STRIDE === 0);
        let first = 0;
        for (const image of targets) if ((await topHit(query(answers.images[image]!.scene))) === image) first++;
        console.log(`assets-quality: ${language}: ${first}/${targets.length} queries put the right image first`);
        return first / targets.length;
      })());
    }
    return firstHits.get(language)!;
  };

  const languages = [
    { language: "English", query: englishQuery },
    { language: "Chinese", query: chineseQuery },
  ] as const;
  for (const { language, query } of languages) {
    const { floor, target } = SEARCH[language];
    it(`puts the described image first for at least ${floor * 100}% of the ${language} queries (regression floor)`, async () => {
      expect(await searchFirstShare(language, query)).toBeGreaterThanOrEqual(floor);
    });
    it(`meets issue 10's target of ${target * 100}% of the ${language} queries`, async () => {
      expect(await searchFirstShare(language, query)).toBeGreaterThanOrEqual(target);
    });
  }

  interface LintOutcome {
    found: string[];
    planted: string[];
    goodFlagged: string[];
    good: number;
    /** Problems whose suggested fix scores below the alt text it would replace. */
    worseFixes: string[];
  }
  let lint: Promise<LintOutcome> | undefined;
  /** lint-alt's findings and the planted problems, as `file image missing|wrong` lines; run once. */
  const lintAgainstPlanted = () =>
    (lint ??= (async () => {
      const pages = [...new Set(answers.references.map((ref) => ref.markdown))];
      const result = await runCli(["--server", daemon.address, "lint-alt", ...pages, "--format", "json"], SAMPLES);
      type Problem = { file: string; image: string; rule: string; cosine: number | null; suggestion: { text: string; cosine: number } | null };
      const report = JSON.parse(result.stdout) as { problems: Problem[]; references: number };
      expect(report.references).toBe(answers.references.length);
      expect(result.code).toBe(1);
      const found = report.problems.map((p) => `${p.file} ${p.image} ${p.rule === "alt-missing" ? "missing" : "wrong"}`).sort();
      const planted = answers.references
        .filter((ref) => ref.status !== "good")
        .map((ref) => `${ref.markdown} ${ref.image} ${ref.status}`)
        .sort();
      const good = answers.references.filter((ref) => ref.status === "good");
      const flagged = new Set(report.problems.map((p) => `${p.file} ${p.image}`));
      const goodFlagged = good.filter((ref) => flagged.has(`${ref.markdown} ${ref.image}`)).map((ref) => `${ref.image}: ${ref.alt}`);
      console.log(`assets-quality: lint-alt flags ${goodFlagged.length} of ${good.length} good alt texts`);
      const worseFixes = report.problems
        .filter((p) => p.suggestion && p.cosine !== null && p.suggestion.cosine <= p.cosine)
        .map((p) => `${p.image}: ${p.suggestion!.text} (${p.suggestion!.cosine.toFixed(3)}) <= current (${p.cosine!.toFixed(3)})`);
      return { found, planted, goodFlagged, good: good.length, worseFixes };
    })());

  it("lint-alt reports every planted missing and wrong alt text", async () => {
    const { found, planted } = await lintAgainstPlanted();
    expect(planted.filter((problem) => !found.includes(problem))).toEqual([]);
  });

  it("lint-alt never offers a fix that scores below the alt text it would replace", async () => {
    expect((await lintAgainstPlanted()).worseFixes).toEqual([]);
  });

  it(`lint-alt flags at most ${GOOD_FLAGGED.ceiling * 100}% of the good alt texts (regression ceiling)`, async () => {
    const { goodFlagged, good } = await lintAgainstPlanted();
    expect(goodFlagged.length / good, goodFlagged.join("\n")).toBeLessThanOrEqual(GOOD_FLAGGED.ceiling);
  });

  it(`meets issue 10's target: lint-alt flags at most ${GOOD_FLAGGED.allowed * 100}% of the good alt texts`, async () => {
    const { goodFlagged, good } = await lintAgainstPlanted();
    expect(goodFlagged.length / good).toBeLessThanOrEqual(GOOD_FLAGGED.allowed);
  });
});
