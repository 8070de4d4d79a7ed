// `llm2clip model pull` (the CLI's bundle, in a child process) against a Hugging Face Hub on loopback that serves
// random-weight checkpoints in the released repositories' layout (models/llm2clip/hub_fixture.py), then the real
// exporter, then llm2clipd serving the folder it wrote.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EmbedTextsResponse, ModelInfo } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { REPO_ROOT, startDaemon, unary } from "../support/daemon";
import { LoopbackHub } from "../support/hub-server";

const PYTHON = "/usr/bin/python3";
const VISION = "microsoft/LLM2CLIP-Openai-L-14-336";
const LLM = "microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned";
const SHARD = "model-00001-of-00004.safetensors";
const NOT_LLAMA = "someone/Qwen2-embedding";

let scratch: string;
let hub: LoopbackHub;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-pull-"));
  const repos = path.join(scratch, "hub");
  execFileSync(PYTHON, ["-m", "llm2clip.hub_fixture", "--out", repos, "--seed", "0"], { cwd: path.join(REPO_ROOT, "models"), stdio: "pipe" });
  // An LLM repository of another architecture: a Qwen2 config and weights.
  const other = path.join(repos, NOT_LLAMA);
  mkdirSync(other, { recursive: true });
  writeFileSync(path.join(other, ".gitattributes"), "*.safetensors filter=lfs diff=lfs merge=lfs -text\n");
  writeFileSync(path.join(other, "config.json"), JSON.stringify({ architectures: ["Qwen2Model"], model_type: "qwen2", hidden_size: 48, num_attention_heads: 4 }));
  copyFileSync(path.join(repos, LLM, SHARD), path.join(other, "model.safetensors"));
  return LoopbackHub.start(repos).then((started) => {
    hub = started;
  });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh HF home, cwd and environment for one pull; LLM2CLIP_PYTHON is Debian's Python with torch unless `env` says. */
function setup(name: string, env: NodeJS.ProcessEnv = {}) {
  const root = path.join(scratch, name);
  mkdirSync(root);
  const hfHome = path.join(root, "hf");
  const fullEnv = { HF_ENDPOINT: hub.url, HF_HOME: hfHome, HF_TOKEN: undefined, HF_HUB_CACHE: undefined, LLM2CLIP_PYTHON: PYTHON, ...env };
  return { root, hfHome, cache: path.join(hfHome, "hub"), pull: (args: string[] = []) => runCli(["model", "pull", ...args], root, fullEnv) };
}

function repoDir(cache: string, repo: string): string {
  return path.join(cache, `models--${repo.replace("/", "--")}`);
}

function requestsSince(mark: number, pattern: RegExp) {
  return hub.requests.slice(mark).filter((request) => pattern.test(request.path));
}

describe("llm2clip model pull", () => {
  it("resumes an interrupted download, fills the HF cache, reuses what is cached, and writes a model llm2clipd serves", async () => {
    const { root, cache, pull } = setup("happy");
    // A file another tool already fetched into the standard cache layout: it must be reused, not fetched.
    const visionSha = hub.sha256Of(VISION, "model.safetensors");
    mkdirSync(path.join(repoDir(cache, VISION), "blobs"), { recursive: true });
    copyFileSync(path.join(scratch, "hub", VISION, "model.safetensors"), path.join(repoDir(cache, VISION), "blobs", visionSha));
    hub.cutOnce.set(`${LLM}/${SHARD}`, 40_000);

    const mark = hub.requests.length;
    const first = await pull(["--out", "model"]);
    expect(first.code, first.stderr).toBe(2);
    expect(first.stderr).toContain(`the download of ${LLM}/${SHARD} stopped at 40000 of`);
    expect(first.stderr).toContain("run the same command again to resume it");
    const shardSha = hub.sha256Of(LLM, SHARD);
    expect(statSync(path.join(repoDir(cache, LLM), "blobs", `${shardSha}.incomplete`)).size).toBe(40_000);
    expect(existsSync(path.join(root, "model", "manifest.json"))).toBe(false);

    const second = await pull(["--out", "model"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe(path.join(root, "model"));
    expect(second.stderr).toContain(`${LLM}: ${SHARD} 94.4 KiB resumed at 39.1 KiB, sha256 ok`);
    expect(second.stderr).toContain(`${VISION}: model.safetensors 256.2 KiB in the cache, sha256 ok`);
    expect(second.stderr).toMatch(/llm: Llama, 3 layers, width 48, 4 heads \/ 2 KV heads/);
    const shardBodies = requestsSince(mark, new RegExp(`/cdn/${LLM}/${shardSha}/`)).filter((request) => request.range !== "bytes=0-0");
    expect(shardBodies.map((request) => request.range)).toEqual([undefined, `bytes=40000-${96663}`]);
    expect(requestsSince(mark, new RegExp(`/cdn/${VISION}/`))).toEqual([]);

    // huggingface_hub's layout: blobs named by ETag, snapshot symlinks to them, refs/main holding the commit.
    const commit = hub.commitOf(LLM);
    expect(readFileSync(path.join(repoDir(cache, LLM), "refs", "main"), "utf8")).toBe(commit);
    const pointer = path.join(repoDir(cache, LLM), "snapshots", commit, SHARD);
    expect(lstatSync(pointer).isSymbolicLink()).toBe(true);
    expect(readlinkSync(pointer)).toBe(`../../blobs/${shardSha}`);
    expect(readFileSync(pointer).equals(readFileSync(path.join(scratch, "hub", LLM, SHARD)))).toBe(true);
    expect(existsSync(path.join(repoDir(cache, LLM), "snapshots", commit, "modeling_llama_encoder.py"))).toBe(false);

    const daemon = await startDaemon(["--model", path.join(root, "model")]);
    try {
      const client = daemon.client();
      const info = await unary<ModelInfo>((done) => client.getModelInfo({}, done));
      expect(info.name).toBe("llm2clip-openai-l-14-336+llm2clip-llama-3-8b-instruct-cc-finetuned");
      expect([info.embedDim, info.featureDim, info.imageSize]).toEqual([24, 48, 32]);
      const texts = await unary<EmbedTextsResponse>((done) => client.embedTexts({ texts: ["a red circle"], includeFeatures: false }, done));
      const values = texts.results[0].embedding?.values ?? [];
      expect(values).toHaveLength(24);
      expect(values.every(Number.isFinite)).toBe(true);
      client.close();
    } finally {
      await daemon.stop();
    }
  }, 300_000);

  it("refuses a file whose bytes do not match the Hub's sha256, and keeps nothing of it", async () => {
    const { cache, root, pull } = setup("corrupt");
    hub.corrupt.add(`${VISION}/model.safetensors`);
    try {
      const run = await pull(["--out", "model"]);
      expect(run.code).toBe(2);
      const sha = hub.sha256Of(VISION, "model.safetensors");
      expect(run.stderr).toMatch(new RegExp(`${VISION}/model\\.safetensors was refused: its bytes hash to [0-9a-f]{64}, the Hub vouches for ${sha} \\(sha256\\)`));
      expect(existsSync(path.join(repoDir(cache, VISION), "blobs", sha))).toBe(false);
      expect(existsSync(path.join(repoDir(cache, VISION), "blobs", `${sha}.incomplete`))).toBe(false);
      expect(existsSync(path.join(repoDir(cache, VISION), "snapshots", hub.commitOf(VISION), "model.safetensors"))).toBe(false);
      expect(existsSync(path.join(root, "model", "manifest.json"))).toBe(false);
    } finally {
      hub.corrupt.clear();
    }
  }, 120_000);

  it("says a gated repository needs HF_TOKEN, and that a token without access cannot fetch it", async () => {
    hub.gated.add(LLM);
    try {
      const anonymous = setup("gated");
      const mark = hub.requests.length;
      const run = await anonymous.pull();
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`llm2clip: ${LLM} is gated: accept its conditions at ${hub.url}/${LLM}, then set HF_TOKEN to an access token of that account`);
      expect(requestsSince(mark, /\/resolve\//)).toEqual([]);

      const refused = setup("gated-token", { HF_TOKEN: "hf_withoutaccess" });
      const withToken = await refused.pull();
      expect(withToken.code).toBe(2);
      expect(withToken.stderr).toContain(`${LLM} is gated and the token in HF_TOKEN has no access to it`);
      expect(hub.requests.at(-1)?.authorization).toBe("Bearer hf_withoutaccess");
    } finally {
      hub.gated.clear();
    }
  }, 60_000);

  it("names a revision that does not exist", async () => {
    const { pull } = setup("revision");
    const run = await pull(["--revision", "v9.9"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`llm2clip: revision "v9.9" does not exist in ${VISION}: give a branch, a tag or a full commit hash of it (--revision)`);
  });

  it("says what to install when there is no Python, or no torch in it, before fetching any weights", async () => {
    const missing = setup("no-python", { LLM2CLIP_PYTHON: "/nonexistent/python3" });
    const mark = hub.requests.length;
    const none = await missing.pull();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no Python at "/nonexistent/python3": the export needs one; install Python 3 with torch');
    expect(none.stderr).toContain("apt-get install python3-torch python3-onnx python3-numpy");

    // A real Python that cannot see its site-packages (-S), so `import torch` fails as it would without torch.
    const bare = path.join(scratch, "python-without-site-packages");
    writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    chmodSync(bare, 0o755);
    const noTorch = await setup("no-torch", { LLM2CLIP_PYTHON: bare }).pull();
    expect(noTorch.code).toBe(2);
    expect(noTorch.stderr).toContain(`${bare} lacks the Python module torch, which the export needs: install Python 3 with torch`);
    expect(requestsSince(mark, /\.safetensors$/)).toEqual([]);
  }, 60_000);

  it("refuses a checkpoint whose config is not the architecture the exporter implements, before its weights", async () => {
    const { pull } = setup("mismatch");
    const mark = hub.requests.length;
    const run = await pull(["--llm", NOT_LLAMA]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "config mismatch: the LLM checkpoint's config.json has model_type 'qwen2' (Qwen2Model); the exporter implements Llama (model_type 'llama'",
    );
    expect(requestsSince(mark, /\.safetensors$/)).toEqual([]);
  }, 60_000);

  describe.skipIf(process.getuid?.() !== 0)("on a full disk (a small tmpfs; mounting it needs root)", () => {
    const mounts: string[] = [];
    const tmpfs = (name: string, size: string) => {
      const dir = path.join(scratch, name);
      mkdirSync(dir, { recursive: true });
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
      mounts.push(dir);
      return dir;
    };
    afterAll(() => {
      for (const dir of mounts) execFileSync("umount", [dir]);
    });

    it("stops before the weights when the HF cache's disk cannot hold them", async () => {
      const cacheDisk = tmpfs("small-cache", "128k");
      const { pull } = setup("full-cache", { HF_HUB_CACHE: cacheDisk });
      const mark = hub.requests.length;
      const run = await pull();
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`not enough disk space for the download: ${cacheDisk} has [\\d.]+ KiB free and [\\d.]+ KiB more are needed; free space or set HF_HUB_CACHE to a larger disk`));
      expect(requestsSince(mark, /\.safetensors$/)).toEqual([]);
    }, 60_000);

    it("says the export's disk is full, and keeps the downloads", async () => {
      const outDisk = tmpfs("small-out", "64k");
      const { cache, pull } = setup("full-out");
      const run = await pull(["--out", outDisk]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("disk full during the export: the output folder (--out) needs room for the ONNX graphs");
      expect(existsSync(path.join(repoDir(cache, LLM), "snapshots", hub.commitOf(LLM), SHARD))).toBe(true);
    }, 180_000);
  });
});
