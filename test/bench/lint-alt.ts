// `npm run bench:lint-alt [-- --quick]`: lint-alt over a documentation repository of rendered application
// screenshots, against markdownlint's MD045 on the same files, each run as a user runs it (a fresh node process).
//   lint-alt, daemon down: the model-free checks only (missing alt, anti-patterns, unreadable images);
//   markdownlint: the library with only MD045 enabled, as markdownlint-cli2 runs it;
//   lint-alt, daemon up: the same plus SuggestAltText for every readable image, with the embedded tiny model.
// The peers alternate in rounds; the table gives each one's median wall time and its ratio to markdownlint.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { cliBundle } from "../support/cli";
import { DEFAULT_MODEL_DIR, REPO_ROOT, startDaemon } from "../support/daemon";
import { screenshotSvg } from "../support/images";
import { percentile } from "./measure";

const { values: flags } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const SCREENSHOTS = flags.quick ? 120 : 600;
const PER_PAGE = 10;
const ROUNDS = flags.quick ? 3 : 5;
/** One run with the daemon up: SuggestAltText composes suggestions by beam search, minutes for 600 images on 2 cores. */
const DAEMON_ROUNDS = 1;

/** A docs site: Markdown pages of 10 screenshots each, some site-rooted under static/, a few with missing alt text. */
async function makeRepository(dir: string): Promise<string[]> {
  mkdirSync(path.join(dir, "static", "img"), { recursive: true });
  mkdirSync(path.join(dir, "docs", "img"), { recursive: true });
  const pages: string[] = [];
  for (let page = 0; page * PER_PAGE < SCREENSHOTS; page++) {
    const lines = [`# Page ${page}`, ""];
    for (let i = page * PER_PAGE; i < Math.min(SCREENSHOTS, (page + 1) * PER_PAGE); i++) {
      const siteRooted = i % 3 === 0;
      const file = siteRooted ? path.join(dir, "static", "img", `shot-${i}.png`) : path.join(dir, "docs", "img", `shot-${i}.png`);
      await sharp(screenshotSvg(i, 1280 + (i % 4) * 160, 800 + (i % 3) * 100)).png().toFile(file);
      const src = siteRooted ? `/img/shot-${i}.png` : `img/shot-${i}.png`;
      const alt = i % 17 === 0 ? "" : `The settings page with the ${i % 2 ? "dark" : "light"} theme, step ${i}`;
      lines.push(i % 5 === 0 ? `<img src="${src}" alt="${alt}" width="640">` : `![${alt}](${src})`, "", `Step ${i} of the guide.`, "");
    }
    const name = `docs/page-${String(page).padStart(3, "0")}.md`;
    writeFileSync(path.join(dir, name), lines.join("\n"));
    pages.push(name);
  }
  return pages;
}

function timed(command: string, args: string[], cwd: string): number {
  const started = performance.now();
  try {
    execFileSync(command, args, { cwd, stdio: "pipe" });
  } catch (error) {
    // lint-alt and markdownlint both exit 1 on findings; anything else is a failed run.
    if ((error as { status?: number }).status !== 1) throw error;
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "llm2clip-lint-bench-"));
  try {
    console.error(`rendering ${SCREENSHOTS} screenshots...`);
    const pages = await makeRepository(dir);
    const markdownlintScript = path.join(dir, "md045.mjs");
    writeFileSync(
      markdownlintScript,
      `import { lint } from ${JSON.stringify(path.join(REPO_ROOT, "node_modules/markdownlint/lib/exports-promise.mjs"))};\n` +
        `const results = await lint({ files: process.argv.slice(2), config: { default: false, MD045: true } });\n` +
        `const found = Object.values(results).flat().length;\nconsole.log(found + " MD045 findings");\nprocess.exit(found > 0 ? 1 : 0);\n`,
    );
    const cli = cliBundle();
    const downServer = "127.0.0.1:1";
    const times: Record<string, number[]> = { markdownlint: [], "lint-alt, daemon down": [], "lint-alt, daemon up": [] };
    for (let round = 0; round < ROUNDS; round++) {
      times["lint-alt, daemon down"]!.push(timed(process.execPath, [cli, "--server", downServer, "lint-alt", "docs"], dir));
      times.markdownlint!.push(timed(process.execPath, [markdownlintScript, ...pages], dir));
    }
    const daemon = await startDaemon(["--model", DEFAULT_MODEL_DIR]);
    try {
      for (let round = 0; round < DAEMON_ROUNDS; round++) {
        times["lint-alt, daemon up"]!.push(timed(process.execPath, [cli, "--server", daemon.address, "lint-alt", "docs"], dir));
        times.markdownlint!.push(timed(process.execPath, [markdownlintScript, ...pages], dir));
      }
    } finally {
      await daemon.stop();
    }
    const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const base = median(times.markdownlint!);
    const rows = Object.entries(times).map(([peer, xs]) => `| ${peer} | ${xs.length} | ${(median(xs) / 1000).toFixed(2)} s | ${(median(xs) / base).toFixed(2)}× |`);
    const table = [
      `lint-alt over ${SCREENSHOTS} rendered screenshots (1280–1760 px wide) in ${pages.length} Markdown pages, ${os.cpus().length} cores`,
      "",
      "| peer | runs | median wall time | vs markdownlint MD045 |",
      "| --- | --- | --- | --- |",
      ...rows,
    ].join("\n");
    console.log(table);
    const out = path.join(REPO_ROOT, "test/bench/results", `lint-alt-${flags.quick ? "quick" : "full"}.md`);
    writeFileSync(out, table + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
