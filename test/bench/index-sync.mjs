// `node test/bench/index-sync.mjs [--images 1000] [--dir <folder>] [--model <dir>]`: indexing throughput and the cost of
// an unchanged re-sync, measured end to end: the built `llm2clip index` (walk, hash, SyncAssets) against the built
// llm2clipd on loopback. Without --dir it renders --images scene-like PNGs (96 to 320 px) first; that is not timed.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";

const { values: flags } = parseArgs({ options: { images: { type: "string", default: "1000" }, dir: { type: "string" }, model: { type: "string" } } });
const root = path.resolve(import.meta.dirname, "../..");
const server = path.join(root, "server");
execFileSync(process.execPath, ["build.mjs"], { cwd: server, stdio: "inherit" });

const work = mkdtempSync(path.join(os.tmpdir(), "llm2clip-index-bench-"));
const COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white", "gray", "cyan"];

async function renderScenes(dir, count) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const size = 96 + ((i * 37) % 225);
    const shapes = Array.from({ length: 1 + (i % 4) }, (_, k) => {
      const colour = COLOURS[(i * 7 + k * 5) % COLOURS.length];
      const r = size * (0.08 + ((i + k) % 3) * 0.05);
      const cx = size * (0.2 + ((i + 3 * k) % 5) * 0.15);
      const cy = size * (0.2 + ((i * 3 + k) % 5) * 0.15);
      return k % 2 ? `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>` : `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${colour}"/>`;
    });
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="${COLOURS[i % COLOURS.length]}"/>${shapes.join("")}</svg>`;
    await sharp(Buffer.from(svg)).png().toFile(path.join(dir, `scene-${String(i).padStart(5, "0")}.png`));
  }
}

function startDaemon() {
  const args = [path.join(server, "dist/llm2clipd.js"), "--listen", "127.0.0.1:0", "--data-dir", path.join(work, "data")];
  if (flags.model) args.push("--model", path.resolve(flags.model));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /^listening on (\S+)/m.exec(out);
      if (match) resolve({ child, address: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`llm2clipd exited with ${code}`)));
  });
}

function index(address, dir) {
  const started = performance.now();
  const stdout = execFileSync(process.execPath, [path.join(server, "dist/llm2clip.js"), "--server", address, "index", dir, "--collection", "bench", "--json"]);
  return { seconds: (performance.now() - started) / 1000, report: JSON.parse(stdout.toString()) };
}

const dir = flags.dir ? path.resolve(flags.dir) : path.join(work, "images");
if (!flags.dir) await renderScenes(dir, Number(flags.images));
const { child, address } = await startDaemon();
try {
  const first = index(address, dir);
  const again = index(address, dir);
  const images = first.report.images;
  const result = {
    images,
    embedded: first.report.summary.embedded,
    firstIndexSeconds: +first.seconds.toFixed(2),
    imagesPerSecond: +(first.report.summary.embedded / first.seconds).toFixed(1),
    unchangedResyncSeconds: +again.seconds.toFixed(3),
    unchangedResyncEmbedded: again.report.summary.embedded,
    unchangedResyncBytes: again.report.summary.bytesReceived,
  };
  console.log(
    `index ${images} images: ${result.firstIndexSeconds} s, ${result.imagesPerSecond} images/s; ` +
      `unchanged re-sync: ${result.unchangedResyncSeconds} s (${result.unchangedResyncEmbedded} embedded, ${result.unchangedResyncBytes} bytes sent)`,
  );
  console.log(JSON.stringify(result));
} finally {
  child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
