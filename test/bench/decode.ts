// `npm run bench:decode [-- --rounds N]`: what image preprocessing costs the daemon's event loop, in-process (as
// before the decode pool) against the decode pool (server/src/runtime/decode-pool.ts), on JPEG photos of three sizes.
// For each image, a 10 ms interval timer runs while one image is preprocessed; the figure is the longest gap between
// its ticks (how long every other client would have waited), and the image's wall time. Peers alternate in rounds;
// medians are reported. Writes test/bench/results/decode.md with --record.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MAX_IMAGE_PIXELS, type ImagePreprocessor, inProcessPreprocessor } from "../../server/src/model/image";
import { DecodePool } from "../../server/src/runtime/decode-pool";
import { openAiClipSpec } from "../../server/test/model/openai-clip-spec";
import { photoJpeg } from "../support/images";

const ROOT = path.resolve(__dirname, "../..");
const SPEC = openAiClipSpec(336);
const SIZES: [number, number][] = [
  [640, 480],
  [1920, 1080],
  [4000, 3000],
];

/** The longest gap between a 10 ms timer's ticks while `work` runs, and the work's wall time. */
async function measure(work: () => Promise<unknown>): Promise<{ stallMs: number; wallMs: number }> {
  const started = performance.now();
  let last = started;
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  await work();
  clearInterval(ticker);
  const ended = performance.now();
  return { stallMs: Math.max(stallMs, ended - last), wallMs: ended - started };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" }, record: { type: "boolean", default: false } } });
  const rounds = Number(values.rounds);
  const bundle = mkdtempSync(path.join(ROOT, "server/dist/.bench-"));
  execFileSync(process.execPath, ["build.mjs", "--outdir", bundle, "--entry", "decode-worker"], { cwd: path.join(ROOT, "server") });
  const pool = await DecodePool.start({ script: path.join(bundle, "decode-worker.js"), workers: 2, timeoutMs: 60_000, timeoutName: "bench", log: console });
  const peers: [string, ImagePreprocessor][] = [
    ["in-process (before)", inProcessPreprocessor],
    ["decode pool (after)", pool],
  ];
  const rows: string[] = [];
  try {
    for (const [width, height] of SIZES) {
      const image = await photoJpeg(width, height);
      const results = new Map<string, { stallMs: number[]; wallMs: number[] }>(peers.map(([name]) => [name, { stallMs: [], wallMs: [] }]));
      for (const [, peer] of peers) await peer.preprocess(image, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? peers : [...peers].reverse();
        for (const [name, peer] of order) {
          const { stallMs, wallMs } = await measure(() => peer.preprocess(image, SPEC, DEFAULT_MAX_IMAGE_PIXELS));
          results.get(name)!.stallMs.push(stallMs);
          results.get(name)!.wallMs.push(wallMs);
        }
      }
      const [before, after] = peers.map(([name]) => results.get(name)!);
      const stall = [median(before!.stallMs), median(after!.stallMs)];
      const wall = [median(before!.wallMs), median(after!.wallMs)];
      rows.push(
        `| ${width}x${height} JPEG | ${stall[0]!.toFixed(0)} ms | ${stall[1]!.toFixed(0)} ms | ${(stall[0]! / stall[1]!).toFixed(1)}x | ` +
          `${wall[0]!.toFixed(0)} ms | ${wall[1]!.toFixed(0)} ms | ${(wall[1]! / wall[0]!).toFixed(2)} |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    await pool.close();
    rmSync(bundle, { recursive: true, force: true });
  }
  const table = [
    `Image preprocessing to 336x336 (Pillow-exact bicubic), ${rounds} rounds, peers alternated, medians; a 10 ms timer runs meanwhile.`,
    "",
    "| image | longest event-loop stall, in-process | decode pool | stall ratio | wall time, in-process | decode pool | wall ratio (pool / in-process) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  console.log(`\n${table}`);
  if (values.record) writeFileSync(path.join(ROOT, "test/bench/results/decode.md"), `# Decode pool: the event loop while an image is preprocessed\n\n\`npm run bench:decode\` on ${new Date().toISOString().slice(0, 10)}.\n\n${table}\n`);
}

void main();
