// A client in another language, written from the .proto alone: Python grpcio (Debian's python3-grpcio) against a real
// llm2clipd. Its answers must match the TS client's to 1e-5.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EmbedTextsResponse, ModelInfo, ScoreCaptionsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { healthStatus, reflectedServices } from "../support/grpc-clients";
import { flatImage } from "../support/images";

const PYTHON = "/usr/bin/python3";
const CAPTIONS = ["a diagram", "a large red circle in the center", "一个蓝色的正方形"];

interface PythonAnswers {
  model_info: Record<string, string | number>;
  texts: { embedding: number[]; features: number[]; truncated: boolean; token_count: number }[];
  scores: { caption: string; cosine: number; logit: number; probability: number; truncated: boolean }[];
  logit_scale: number;
  no_captions: { code: string; details: string };
}

let daemon: RunningDaemon;
let scratch: string;
let python: PythonAnswers;
let image: Buffer;

beforeAll(async () => {
  daemon = await startDaemon();
  scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-interop-"));
  execFileSync("protoc", ["-I", path.join(REPO_ROOT, "proto"), `--python_out=${scratch}`, "llm2clip/v1/llm2clip.proto"]);
  image = await flatImage("#e01010", 50, 40);
  const imagePath = path.join(scratch, "image.png");
  writeFileSync(imagePath, image);
  const args = [path.join(__dirname, "client.py"), "--address", daemon.address, "--stubs", scratch, "--image", imagePath];
  const stdout = execFileSync(PYTHON, [...args, ...CAPTIONS.flatMap((caption) => ["--caption", caption])], { encoding: "utf8" });
  python = JSON.parse(stdout);
});

afterAll(async () => {
  await daemon?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function expectClose(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(1e-5));
}

describe("a Python grpcio client", () => {
  it("reads the same GetModelInfo as the TS client", async () => {
    const info = await unary<ModelInfo>((done) => daemon.client().getModelInfo({}, done));
    expect(python.model_info).toEqual({
      name: info.name,
      embed_dim: info.embedDim,
      feature_dim: info.featureDim,
      image_size: info.imageSize,
      max_tokens: info.maxTokens,
      device: info.device,
      precision: info.precision,
      logit_scale: info.logitScale,
      max_captions: info.limits!.maxCaptions,
    });
  });

  it("gets the same EmbedTexts embeddings and features as the TS client", async () => {
    const ts = await unary<EmbedTextsResponse>((done) => daemon.client().embedTexts({ texts: CAPTIONS, includeFeatures: true }, done));
    expect(python.texts).toHaveLength(CAPTIONS.length);
    ts.results.forEach((result, i) => {
      expectClose(python.texts[i].embedding, result.embedding!.values);
      expectClose(python.texts[i].features, result.features!.values);
      expect(python.texts[i]).toMatchObject({ truncated: result.truncated, token_count: result.tokenCount });
    });
  });

  it("gets the same ScoreCaptions scores as the TS client", async () => {
    const ts = await unary<ScoreCaptionsResponse>((done) => daemon.client().scoreCaptions({ image: { data: image }, captions: CAPTIONS }, done));
    expect(python.logit_scale).toBe(ts.logitScale);
    expect(python.scores.map((s) => s.caption)).toEqual(CAPTIONS);
    for (const key of ["cosine", "logit", "probability"] as const) {
      expectClose(python.scores.map((s) => s[key]), ts.scores.map((s) => s[key]));
    }
  });

  it("sees the same status and message for bad input", () => {
    expect(python.no_captions).toEqual({ code: "INVALID_ARGUMENT", details: "captions: must hold at least one text" });
  });

  it("finds the service by reflection and the daemon SERVING on health", async () => {
    expect(await reflectedServices(daemon.address)).toContain("llm2clip.v1.Llm2Clip");
    expect(await healthStatus(daemon.address)).toBe("SERVING");
  });
});
