// An exposed llm2clipd: TLS with a self-signed certificate made here by openssl, and a bearer token checked on every
// RPC except grpc.health.v1.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { credentials, Metadata, status } from "@grpc/grpc-js";
import { Llm2ClipClient, type ModelInfo } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages, healthStatus } from "../support/grpc-clients";
import { flatImage } from "../support/images";
import { selfSignedCertificate } from "../support/tls";

const TOKEN = "s3cret-token";
let daemon: RunningDaemon;
let cert: Buffer;
let tlsDir: string;
let address: string;

beforeAll(async () => {
  tlsDir = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-tls-"));
  const { certPath, keyPath } = selfSignedCertificate(tlsDir);
  cert = readFileSync(certPath);
  // All interfaces: the case that needs TLS and a token. The test reaches it through loopback.
  daemon = await startDaemon(["--listen", "0.0.0.0:0", "--tls-cert", certPath, "--tls-key", keyPath], { env: { LLM2CLIP_TOKEN: TOKEN } });
  address = daemon.tlsAddress;
});

afterAll(async () => {
  await daemon?.stop();
  rmSync(tlsDir, { recursive: true, force: true });
});

const tlsClient = () => new Llm2ClipClient(address, credentials.createSsl(cert));
const withAuthorization = (value: string) => {
  const metadata = new Metadata();
  metadata.set("authorization", value);
  return metadata;
};
const getModelInfo = (metadata: Metadata) => unary<ModelInfo>((done) => tlsClient().getModelInfo({}, metadata, done));

describe("an exposed llm2clipd", () => {
  it("says it serves TLS on the address it was given", () => {
    expect(daemon.stdout).toMatch(new RegExp(`^listening on 0\\.0\\.0\\.0:${daemon.port} \\(TLS\\)$`, "m"));
  });

  it("answers UNAUTHENTICATED without a token, naming the authorization metadata", async () => {
    const error = await failure(getModelInfo(new Metadata()));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/^authorization: metadata is missing; send 'authorization: Bearer <token>'/);
  });

  it("answers UNAUTHENTICATED to a wrong or malformed token", async () => {
    const wrong = await failure(getModelInfo(withAuthorization("Bearer not-the-token")));
    expect(wrong.code).toBe(status.UNAUTHENTICATED);
    expect(wrong.details).toMatch(/^authorization: the bearer token is not valid/);
    const malformed = await failure(getModelInfo(withAuthorization(TOKEN)));
    expect(malformed.code).toBe(status.UNAUTHENTICATED);
    expect(malformed.details).toMatch(/^authorization: must have the form 'Bearer <token>'/);
  });

  it("checks the token on streams too", async () => {
    const image = await flatImage("#ff0000");
    const error = await failure(embedImages(tlsClient(), [{ id: "a", chunk: image, last: true }]));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    const [answer] = await embedImages(tlsClient(), [{ id: "a", chunk: image, last: true }], withAuthorization(`Bearer ${TOKEN}`));
    expect(answer).toMatchObject({ id: "a", error: undefined });
  });

  it("serves a client with the token over TLS", async () => {
    const info = await getModelInfo(withAuthorization(`Bearer ${TOKEN}`));
    expect(info.embedDim).toBeGreaterThan(0);
  });

  it("answers health without a token", async () => {
    expect(await healthStatus(address, "", credentials.createSsl(cert))).toBe("SERVING");
  });

  it("does not speak plaintext", async () => {
    const plain = new Llm2ClipClient(address, credentials.createInsecure());
    const error = await failure(
      unary<ModelInfo>((done) => plain.getModelInfo({}, withAuthorization(`Bearer ${TOKEN}`), { deadline: Date.now() + 3000 }, done)),
    );
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL]).toContain(error.code);
  });
});
