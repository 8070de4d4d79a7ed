// `node test/bench/index-sync.mjs [--images 1000] [--dir <folder>] [--model <dir>]`: indexing throughput, the cost of
// an unchanged re-sync, and SearchAssets p50 on the indexed collection, measured end to end: the built `llm2clip index`
// (walk, hash, SyncAssets) and a gRPC client against the built llm2clipd on loopback. Without --dir it renders --images
// scene-like PNGs (96 to 320 px) first; that is not timed.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import sharp from "sharp";

const require = createRequire(path.join(import.meta.dirname, "../../server/package.json"));
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");

const { values: flags } = parseArgs({ options: { images: { type: "string", default: "1000" }, dir: { type: "string" }, model: { type: "string" } } });
const root = path.resolve(import.meta.dirname, "../..");
const server = path.join(root, "server");
const client = path.join(root, "client");
execFileSync(process.execPath, ["build.mjs"], { cwd: server, stdio: "inherit" });
execFileSync(process.execPath, ["build.mjs"], { cwd: client, stdio: "inherit" });

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
  const stdout = execFileSync(process.execPath, [path.join(client, "dist/llm2clip.js"), "--server", address, "index", dir, "--collection", "bench", "--json"]);
  return { seconds: (performance.now() - started) / 1000, report: JSON.parse(stdout.toString()) };
}

/** SearchAssets p50 in ms over `samples` calls, after one warm-up call (which fills the text-feature cache). */
async function searchP50(address, request, samples = 50) {
  const definition = protoLoader.loadSync("llm2clip/v1/llm2clip.proto", { includeDirs: [path.join(root, "proto")] });
  const { Llm2Clip } = grpc.loadPackageDefinition(definition).llm2clip.v1;
  const client = new Llm2Clip(address, grpc.credentials.createInsecure());
  const call = () => new Promise((resolve, reject) => client.SearchAssets(request, (error, response) => (error ? reject(error) : resolve(response))));
  await call();
  const times = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  client.close();
  times.sort((a, b) => a - b);
  return +times[Math.floor(times.length / 2)].toFixed(2);
}

const dir = flags.dir ? path.resolve(flags.dir) : path.join(work, "images");
if (!flags.dir) await renderScenes(dir, Number(flags.images));
const { child, address } = await startDaemon();
try {
  const first = index(address, dir);
  const again = index(address, dir);
  const images = first.report.images;
  const search = { collection: "bench", top_k: 10 };
  const textP50 = await searchP50(address, { ...search, expression: "a large red circle at the top-left on a blue background" });
  const anImage = readdirSync(dir, { recursive: true }).filter((file) => /\.(png|jpe?g|gif|webp|svg)$/i.test(file)).sort()[0];
  const imageP50 = await searchP50(address, { ...search, expression: JSON.stringify(anImage.split(path.sep).join("/")) });
  const result = {
    images,
    embedded: first.report.summary.embedded,
    firstIndexSeconds: +first.seconds.toFixed(2),
    imagesPerSecond: +(first.report.summary.embedded / first.seconds).toFixed(1),
    unchangedResyncSeconds: +again.seconds.toFixed(3),
    unchangedResyncEmbedded: again.report.summary.embedded,
    unchangedResyncBytes: again.report.summary.bytesReceived,
    searchTextP50Ms: textP50,
    searchImageP50Ms: imageP50,
  };
  console.log(
    `index ${images} images: ${result.firstIndexSeconds} s, ${result.imagesPerSecond} images/s; ` +
      `unchanged re-sync: ${result.unchangedResyncSeconds} s (${result.unchangedResyncEmbedded} embedded, ${result.unchangedResyncBytes} bytes sent); ` +
      `SearchAssets p50 over ${images} assets: ${textP50} ms by text, ${imageP50} ms by indexed image`,
  );
  console.log(JSON.stringify(result));
} finally {
  child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
