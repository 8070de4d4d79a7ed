// The llm2clip CLI (its esbuild bundle, run as a child process) against a real llm2clipd.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Verdict, type SuggestAltTextResponse } from "@llm2clip/proto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { cliBundle, runCli } from "../support/cli";
import { circleSvg } from "../support/images";

const MODEL_DIR = path.join(REPO_ROOT, "models", "testing", "random-tiny");
let daemon: RunningDaemon;
let ws: string;

const run = (args: string[]) => runCli(["--server", daemon.address, ...args], ws);

const README = `# Shapes

The logo is a red circle.

![the red logo](img/red.png)

![](img/blue.png)

Decorative rule: <img src="img/green.png" alt="">

![remote](https://example.com/x.png)
`;

const PAGE = `<html><body><h1>Gallery</h1>
<img src="img/yellow.png">
<img src="../outside.png" alt="gone">
</body></html>
`;

const COMPONENT = `export const Card = ({ label }) => (
  <div>
    <img src="img/purple.png" alt={label} />
    <img src="img/red.png" alt="a red circle" />
  </div>
);
`;

const VUE = `<template>
  <figure><img src="img/purple.png" /></figure>
</template>
`;

beforeAll(async () => {
  daemon = await startDaemon(["--model", MODEL_DIR]);
  cliBundle();

  ws = mkdtempSync(path.join(os.tmpdir(), "llm2clip-cli-"));
  mkdirSync(path.join(ws, "img"));
  mkdirSync(path.join(ws, "node_modules", "pkg"), { recursive: true });
  for (const colour of ["red", "blue", "green", "yellow", "purple"]) {
    await sharp(circleSvg(colour)).png().toFile(path.join(ws, "img", `${colour}.png`));
  }
  copyFileSync(path.join(ws, "img", "red.png"), path.join(ws, "node_modules", "pkg", "ignored.png"));
  writeFileSync(path.join(ws, "README.md"), README);
  writeFileSync(path.join(ws, "page.html"), PAGE);
  writeFileSync(path.join(ws, "Card.jsx"), COMPONENT);
  writeFileSync(path.join(ws, "Page.vue"), VUE);
});

afterAll(async () => {
  await daemon?.stop();
  rmSync(ws, { recursive: true, force: true });
});

describe("llm2clip index, search, score, suggest-alt", () => {
  it("indexes a folder (skipping node_modules) with the documents' alt texts, and re-indexes for free", async () => {
    const first = await run(["index", ".", "--collection", "ws"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^indexed 5 images into 'ws' in \d+\.\d s: 5 added, 0 updated, 0 unchanged, 0 deleted, 0 failed; 5 embedded, [\d.]+ KiB sent, 5 in the collection\n$/);
    const second = await run(["index", ".", "--collection", "ws", "--json"]);
    expect(JSON.parse(second.stdout).summary).toMatchObject({ unchanged: 5, embedded: 0, bytesReceived: 0 });

    const db = new Database(path.join(daemon.dataDir, "collections", "ws.sqlite"), { readonly: true });
    const alts = db.prepare("SELECT path, text FROM alt_texts ORDER BY path, text").all();
    db.close();
    expect(alts).toEqual([
      { path: "img/red.png", text: "a red circle" },
      { path: "img/red.png", text: "the red logo" },
    ]);
  });

  it("draws a progress bar when stderr is a terminal", async () => {
    // util-linux `script` gives the CLI a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, cliBundle(), "--server", daemon.address, "index", ".", "--collection", "tty"].map((arg) => `'${arg}'`).join(" ");
    const output = await new Promise<string>((resolve, reject) =>
      execFile("script", ["-qefc", command, "/dev/null"], { cwd: ws }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(output).toMatch(/\r\x1b\[2K\[#{24}\] 5\/5 [\d.]+ KiB\/[\d.]+ KiB img\//);
    expect(output).toMatch(/indexed 5 images into 'tty'/);
  });

  it("searches with an rclip-style expression and prints paths and scores", async () => {
    const text = await run(["search", "img/blue.png", "--collection", "ws", "--top", "2"]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^1\.0000 {2}img\/blue\.png {2}\(64x64\)$/);
    expect(text.stdout.trim().split("\n")).toHaveLength(2);
    expect(text.stderr).toBe("2 of 5 assets\n");
    const json = JSON.parse((await run(["search", "a red circle - img/blue.png", "-c", "ws", "--json", "--exclude", "**/red.png"])).stdout);
    expect(json.hits.map((h: { path: string }) => h.path)).not.toContain("img/red.png");
    expect(json.searched).toBe(5);
  });

  it("prints the probability table of score", async () => {
    const result = await run(["score", "img/red.png", "a red circle", "a blue square", "a diagram"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("img/red.png: 3 captions, logit scale 100");
    const rows = [...result.stdout.matchAll(/^"([^"]+)"\s+(\d\.\d{4})\s+(-?\d\.\d{4})/gm)];
    expect(rows.map((row) => row[1])).toEqual(["a red circle", "a blue square", "a diagram"]);
    expect(rows.reduce((sum, row) => sum + Number(row[2]), 0)).toBeCloseTo(1, 3);
    expect(result.stdout).toMatch(/^Label probs: \[\d\.\d{4}, \d\.\d{4}, \d\.\d{4}\]$/m);
  });

  it("suggest-alt scores --alt and lists suggestions with their sources", async () => {
    const result = await run(["suggest-alt", "img/red.png", "--alt", "a red circle", "--collection", "ws", "--json", "--top", "4"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.current.alt).toBe("a red circle");
    expect(["good", "weak", "mismatch"]).toContain(json.current.verdict);
    expect(json.suggestions).toHaveLength(4);
    for (const s of json.suggestions) expect(["context", "collection", "caption bank", "composed"]).toContain(s.source);
  });

  it("reports daemon errors with the status and exits 2", async () => {
    const result = await run(["search", "red", "--collection", "missing"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("llm2clip: NOT_FOUND: collection: collection 'missing' does not exist\n");
    const usage = await run(["search", "red"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/search needs --collection/);
  });
});

describe("llm2clip lint-alt", () => {
  /** The verdict the daemon gives each alt-bearing reference, asked directly over gRPC. */
  async function verdictOf(image: string, alt: string): Promise<Verdict> {
    const response = await unary<SuggestAltTextResponse>((done) =>
      daemon.client().suggestAltText({ image: { data: readFileSync(path.join(ws, image)) }, currentAlt: alt, collection: "", maxSuggestions: 1 }, done),
    );
    return response.current!.verdict;
  }

  it("reports missing alt text and the alt texts the model judges weak or mismatched, and nothing else", async () => {
    const result = await run(["lint-alt", "README.md", "page.html", "Card.jsx", "Page.vue", "--format", "json"]);
    const report = JSON.parse(result.stdout);
    const judged = [
      { file: "README.md", line: 5, image: "img/red.png", alt: "the red logo" },
      { file: "Card.jsx", line: 4, image: "img/red.png", alt: "a red circle" },
    ];
    const expected = [
      { file: "README.md", line: 7, kind: "missing", image: "img/blue.png" },
      { file: "page.html", line: 2, kind: "missing", image: "img/yellow.png" },
      { file: "Page.vue", line: 2, kind: "missing", image: "img/purple.png" },
    ];
    for (const ref of judged) {
      const verdict = await verdictOf(ref.image, ref.alt);
      if (verdict === Verdict.VERDICT_WEAK) expected.push({ file: ref.file, line: ref.line, kind: "weak", image: ref.image });
      if (verdict === Verdict.VERDICT_MISMATCH) expected.push({ file: ref.file, line: ref.line, kind: "mismatch", image: ref.image });
    }
    const key = (p: { file: string; line: number; kind: string; image: string }) => `${p.file}:${p.line} ${p.kind} ${p.image}`;
    expect(report.problems.map(key).sort()).toEqual(expected.map(key).sort());
    for (const problem of report.problems) expect(problem.suggestion.text).not.toBe("");
    expect(report.checked).toBe(5);
    expect(report.skipped.map((s: { reason: string }) => s.reason).sort()).toEqual([
      "../outside.png does not exist",
      "https://example.com/x.png is not a local file",
      "the alt text is decided at run time",
    ]);
    expect(result.code).toBe(1);
  });

  it("writes SARIF 2.1.0 with rules, regions and the suggestion as a fix", async () => {
    const result = await run(["lint-alt", "*.md", "--format", "sarif"]);
    expect(result.code).toBe(1);
    const log = JSON.parse(result.stdout);
    expect(log.version).toBe("2.1.0");
    const missing = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "alt-missing");
    expect(missing.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "README.md" },
      region: { startLine: 7, startColumn: 1, endLine: 7, endColumn: 18 },
    });
    const replacement = missing.fixes[0].artifactChanges[0].replacements[0];
    expect(README.slice(0, replacement.deletedRegion.charOffset)).toMatch(/!\[$/);
    expect(replacement.insertedContent.text.length).toBeGreaterThan(0);
  });

  it("exits 0 when there is nothing to report", async () => {
    writeFileSync(path.join(ws, "clean.md"), "# Clean\n\nNo images, only a decorative one: <img src=\"img/green.png\" alt=\"\">\n");
    const result = await run(["lint-alt", "clean.md"]);
    expect(result.stdout).toBe("0 problems in 0 image references\n");
    expect(result.code).toBe(0);
  });
});
