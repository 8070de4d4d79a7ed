// The model RPCs of a real llm2clipd (bundle, child process, ONNX model) through real gRPC clients.
import type { EmbedTextsResponse, ModelInfo, ScoreCaptionsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages, healthStatus, reflectedServices } from "../support/grpc-clients";
import { circleSvg, flatImage } from "../support/images";

let daemon: RunningDaemon;

beforeAll(async () => {
  daemon = await startDaemon(["--max-captions", "8", "--max-texts", "300"]);
});

afterAll(async () => {
  const run = await daemon?.stop();
  expect(run?.code).toBe(0);
});

const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i], 0);

describe("llm2clipd", () => {
  it("prints the self-check table, then the address", () => {
    const [table, listening] = daemon.stdout.split(/^(?=listening on)/m);
    expect(table).toMatch(/^self-check: samples\/self-check\.png against 3 captions$/m);
    const probabilities = [...table.matchAll(/^ {2}"[^"]+"\s+(\d\.\d{4})\s/gm)].map((match) => Number(match[1]));
    expect(probabilities).toHaveLength(3);
    expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 3);
    expect(listening).toMatch(new RegExp(`^listening on 127\\.0\\.0\\.1:${daemon.port}$`, "m"));
  });

  it("reports SERVING on grpc.health.v1 and lists the service in reflection", async () => {
    expect(await healthStatus(daemon.address)).toBe("SERVING");
    expect(await healthStatus(daemon.address, "llm2clip.v1.Llm2Clip")).toBe("SERVING");
    expect(await reflectedServices(daemon.address)).toEqual(expect.arrayContaining(["llm2clip.v1.Llm2Clip", "grpc.health.v1.Health"]));
  });

  it("GetModelInfo describes the model, where it runs and the limits", async () => {
    const info = await unary<ModelInfo>((done) => daemon.client().getModelInfo({}, done));
    expect(info).toMatchObject({ device: "cpu", precision: "float32" });
    expect(info.logitScale).toBeGreaterThan(0);
    expect(info.name).not.toBe("");
    expect(info.embedDim).toBeGreaterThan(0);
    expect(info.featureDim).toBeGreaterThan(0);
    expect(info.imageSize).toBeGreaterThan(0);
    expect(info.maxTokens).toBeGreaterThan(0);
    expect(info.limits).toEqual({
      maxMessageBytes: 32 * 1024 * 1024,
      maxImagePixels: 50_000_000,
      maxCaptions: 8,
      maxTexts: 300,
      maxTopK: 1000,
    });
    expect(info.altTextThresholds?.good).toBeGreaterThan(info.altTextThresholds!.mismatch);
  });

  it("EmbedTexts returns unit embeddings, the raw features on request, and serves a repeat from the cache", async () => {
    const client = daemon.client();
    const info = await unary<ModelInfo>((done) => client.getModelInfo({}, done));
    const texts = ["a small red circle at the top left", "一个蓝色的正方形"];
    const first = await unary<EmbedTextsResponse>((done) => client.embedTexts({ texts, includeFeatures: true }, done));
    expect(first.results).toHaveLength(2);
    for (const result of first.results) {
      expect(result.embedding!.values).toHaveLength(info.embedDim);
      expect(dot(result.embedding!.values, result.embedding!.values)).toBeCloseTo(1, 4);
      expect(result.features!.values).toHaveLength(info.featureDim);
      expect(result).toMatchObject({ truncated: false, cached: false });
      expect(result.tokenCount).toBeGreaterThan(3);
    }
    const again = await unary<EmbedTextsResponse>((done) => client.embedTexts({ texts, includeFeatures: false }, done));
    expect(again.results.map((result) => result.cached)).toEqual([true, true]);
    expect(again.results[0].features).toBeUndefined();
    again.results.forEach((result, i) => {
      result.embedding!.values.forEach((value, j) => expect(value).toBeCloseTo(first.results[i].embedding!.values[j], 6));
    });
  });

  it("ScoreCaptions gives cosine, logit = logit_scale x cosine, and a softmax that agrees with EmbedImages and EmbedTexts", async () => {
    const client = daemon.client();
    const image = await flatImage("#d02020");
    const captions = ["a diagram", "a red circle", "a blue square"];
    const info = await unary<ModelInfo>((done) => client.getModelInfo({}, done));
    const scored = await unary<ScoreCaptionsResponse>((done) => client.scoreCaptions({ image: { data: image }, captions }, done));
    expect(scored.logitScale).toBe(info.logitScale);
    expect(scored.scores.map((score) => score.caption)).toEqual(captions);
    const sum = scored.scores.reduce((total, score) => total + score.probability, 0);
    expect(sum).toBeCloseTo(1, 5);
    for (const score of scored.scores) expect(score.logit).toBeCloseTo(info.logitScale * score.cosine, 3);
    const [a, b] = scored.scores;
    expect(a.probability / b.probability).toBeCloseTo(Math.exp(a.logit - b.logit), 3);

    const [embedded] = await embedImages(client, [{ id: "img", chunk: image, last: true }]);
    const texts = await unary<EmbedTextsResponse>((done) => client.embedTexts({ texts: captions, includeFeatures: false }, done));
    texts.results.forEach((text, i) => expect(dot(embedded.embedding!.values, text.embedding!.values)).toBeCloseTo(scored.scores[i].cosine, 4));
  });

  it("EmbedImages joins chunks per id, answers in completion order with the client's ids, and reports a bad image without ending the stream", async () => {
    const client = daemon.client();
    const red = await flatImage("#ff0000", 40, 30);
    const svg = circleSvg("blue");
    const jpeg = await flatImage("#00ff00", 20, 60, "jpeg");
    const half = Math.floor(red.length / 2);
    const responses = await embedImages(client, [
      { id: "red", chunk: red.subarray(0, half), last: false },
      { id: "svg", chunk: svg, last: true },
      { id: "broken", chunk: Buffer.from("not an image at all"), last: true },
      { id: "red", chunk: red.subarray(half), last: true },
      { id: "jpeg", chunk: jpeg, last: true },
    ]);
    expect(responses.map((response) => response.id)).toEqual(["svg", "broken", "red", "jpeg"]);
    expect(responses[0]).toMatchObject({ width: 64, height: 64 });
    expect(responses[1].error).toMatchObject({ code: 3 });
    expect(responses[1].error!.message).toMatch(/^chunk: /);
    expect(responses[1].embedding).toBeUndefined();
    expect(responses[2]).toMatchObject({ width: 40, height: 30, error: undefined });
    expect(responses[3]).toMatchObject({ width: 20, height: 60, error: undefined });
    const whole = await embedImages(client, [{ id: "red-whole", chunk: red, last: true }]);
    whole[0].embedding!.values.forEach((value, i) => expect(value).toBeCloseTo(responses[2].embedding!.values[i], 6));
  });
});
