// The server before and after its model: health NOT_SERVING and UNAVAILABLE answers while the model loads, then
// SERVING once serve() installs the handlers. In process, with the real random-weight ONNX model.
import path from "node:path";
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipClient, type ModelInfo } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Llm2ClipGrpcServer } from "../../src/grpc/server";
import { loadModel } from "../../src/model/load";
import type { Llm2ClipModel } from "../../src/model/types";
import { healthStatus } from "../../../test/support/grpc-clients";

const MODEL_DIR = path.resolve(__dirname, "../../../models/testing/random-tiny");
const limits = { maxMessageBytes: 1 << 20, maxImagePixels: 1e6, maxCaptions: 8, maxTexts: 8, maxTopK: 10, maxStreamBufferBytes: 1 << 20, maxBufferBytes: 1 << 22, streamIdleMs: 30_000 };
const connections = { idleTimeoutMs: 60_000, handshakeTimeoutMs: 10_000, keepaliveMs: 60_000, keepaliveTimeoutMs: 20_000, maxConnections: 64 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let server: Llm2ClipGrpcServer;
let address: string;
let model: Llm2ClipModel | undefined;

beforeAll(async () => {
  server = new Llm2ClipGrpcServer({ limits, connections });
  address = `127.0.0.1:${await server.listen("127.0.0.1", 0)}`;
});

afterAll(async () => {
  await server.shutdown(1000);
  await model?.close();
});

const getModelInfo = (client: Llm2ClipClient) =>
  new Promise<ModelInfo>((resolve, reject) => client.getModelInfo({}, (error, info) => (error ? reject(error) : resolve(info))));

describe("Llm2ClipGrpcServer", () => {
  it("answers NOT_SERVING and UNAVAILABLE until the model is served, then SERVING", async () => {
    const client = new Llm2ClipClient(address, credentials.createInsecure());
    expect(await healthStatus(address)).toBe("NOT_SERVING");
    expect(await healthStatus(address, "llm2clip.v1.Llm2Clip")).toBe("NOT_SERVING");
    const early = (await getModelInfo(client).catch((error: ServiceError) => error)) as ServiceError;
    expect(early.code).toBe(status.UNAVAILABLE);
    expect(early.details).toMatch(/the model is still loading; retry when health reports SERVING/);

    model = await loadModel(MODEL_DIR, { device: "cpu", log: quiet });
    server.serve({ model, limits, dataDir: "/nonexistent", log: quiet });
    expect(await healthStatus(address)).toBe("SERVING");
    expect(await healthStatus(address, "llm2clip.v1.Llm2Clip")).toBe("SERVING");
    expect((await getModelInfo(client)).name).toBe("random-tiny");
    client.close();
  });

  it("stops listening when it shuts down", async () => {
    const other = new Llm2ClipGrpcServer({ limits, connections });
    const otherAddress = `127.0.0.1:${await other.listen("127.0.0.1", 0)}`;
    expect(await healthStatus(otherAddress)).toBe("NOT_SERVING");
    await other.shutdown(2000);
    await expect(healthStatus(otherAddress)).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
