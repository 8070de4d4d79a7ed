// llm2clipd refuses to start, with a message naming what is wrong and a non-zero exit status, on bad flags, an exposed
// address without TLS and a token, and a wrong model folder.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runDaemon } from "../support/daemon";

const MODEL = path.join(REPO_ROOT, "models/testing/random-tiny");
const scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-startup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the test model, changed by `edit` (which gets the folder and its parsed manifest). */
function brokenModel(name: string, edit: (dir: string, manifest: Record<string, any>) => void): string {
  const dir = path.join(scratch, name);
  cpSync(MODEL, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  edit(dir, manifest);
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

describe("llm2clipd start-up", () => {
  it("prints --help and exits 0", async () => {
    const run = await runDaemon(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: llm2clipd \[options\]/m);
    for (const flag of ["--model", "--listen", "--device", "--tls-cert", "--tls-key", "--token", "--data-dir", "--max-message-bytes"]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it.each([
    [["--listen", "nowhere"], /--listen: expected host:port/],
    [["--device", "tpu"], /--device: expected one of auto, cpu, cuda, got 'tpu'/],
    [["--max-captions", "many"], /--max-captions: expected a whole number, got 'many'/],
    [["--tls-cert", "cert.pem"], /--tls-cert needs --tls-key/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
  ])("rejects %j with exit status 2", async (args, message) => {
    const run = await runDaemon(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("llm2clipd --help");
  });

  it("refuses a non-loopback address without TLS and a token, saying what is missing", async () => {
    const bare = await runDaemon(["--listen", "0.0.0.0:0", "--model", MODEL]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(
      /refusing to listen on 0\.0\.0\.0:0: a non-loopback address needs TLS \(--tls-cert and --tls-key\) and a bearer token \(--token or LLM2CLIP_TOKEN\)/,
    );
    const tokenOnly = await runDaemon(["--listen", "0.0.0.0:0", "--model", MODEL], { LLM2CLIP_TOKEN: "secret" });
    expect(tokenOnly.code).toBe(2);
    expect(tokenOnly.stderr).toMatch(/needs TLS \(--tls-cert and --tls-key\)\n/);
  });

  it("names --data-dir when it cannot be created", async () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    const run = await runDaemon(["--data-dir", path.join(file, "data")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--data-dir: cannot use .*a-file\/data: ENOTDIR/);
  });

  it("exits non-zero when the model folder has no manifest", async () => {
    const run = await runDaemon(["--model", path.join(scratch, "no-such-model")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot load the model in .*no-such-model: .*manifest\.json does not exist/);
    expect(run.stdout).not.toMatch(/listening on/);
  });

  it("names the file when a graph the manifest lists is missing", async () => {
    const dir = brokenModel("missing-llm", (folder) => rmSync(path.join(folder, "llm.onnx")));
    const run = await runDaemon(["--model", dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/graphs\.llm\.file/);
    expect(run.stderr).toMatch(/llm\.onnx/);
  });

  it("names the field and the graph when a dimension does not chain", async () => {
    const dir = brokenModel("bad-chain", (_folder, manifest) => (manifest.embed_dim += 1));
    const run = await runDaemon(["--model", dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/manifest\.json: .*embed_dim/);
    expect(run.stderr).toMatch(/vision\.onnx|adapter\.onnx/);
  });

  it("names the field when a manifest value is wrong", async () => {
    const dir = brokenModel("bad-dim", (_folder, manifest) => (manifest.embed_dim = "wide"));
    const run = await runDaemon(["--model", dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/manifest\.json: embed_dim: /);
  });
});
