// The CLI's --ca, --token and LLM2CLIP_TOKEN against a daemon that serves TLS and requires a bearer token.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliBundle, runCli } from "../support/cli";
import { startDaemon, type RunningDaemon } from "../support/daemon";
import { circleSvg } from "../support/images";
import { selfSignedCertificate } from "../support/tls";

const TOKEN = "cli-s3cret";
let daemon: RunningDaemon;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "llm2clip-cli-tls-"));
  const { certPath, keyPath } = selfSignedCertificate(dir);
  writeFileSync(path.join(dir, "red.svg"), circleSvg("red"));
  daemon = await startDaemon(["--tls-cert", certPath, "--tls-key", keyPath], { env: { LLM2CLIP_TOKEN: TOKEN } });
  cliBundle();
});

afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const score = ["score", "red.svg", "a red circle", "a blue square"];

describe("llm2clip over TLS with a token", () => {
  it("connects with --ca and the token from LLM2CLIP_TOKEN or --token", async () => {
    const fromEnv = await runCli(["--server", daemon.address, "--ca", "cert.pem", ...score], dir, { LLM2CLIP_TOKEN: TOKEN });
    expect(fromEnv.stderr).toBe("");
    expect(fromEnv.code).toBe(0);
    const fromFlag = await runCli(["--server", daemon.address, "--ca", "cert.pem", "--token", TOKEN, ...score], dir);
    expect(fromFlag.code).toBe(0);
    expect(fromFlag.stdout).toBe(fromEnv.stdout);
  });

  it("exits 2 with UNAUTHENTICATED without the token", async () => {
    const result = await runCli(["--server", daemon.address, "--ca", "cert.pem", ...score], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^llm2clip: UNAUTHENTICATED: authorization: /);
  });
});
