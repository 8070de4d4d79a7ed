// Latency of a running llm2clipd, seen from a client: ScoreCaptions (1 image x 3 captions) and EmbedTexts with the
// text-feature cache cold (captions never seen) and warm (repeats).
//
//   node server/scripts/daemon-latency.mjs [--address 127.0.0.1:50051] [--runs 50] [--image file.png] [--token T]
//
// Uses the .proto through @grpc/proto-loader, so it needs no build. Captions carry a per-run nonce, so "cold" is cold
// even against a daemon whose persistent cache has seen earlier runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import sharp from "sharp";

const { values } = parseArgs({
  options: {
    address: { type: "string", default: "127.0.0.1:50051" },
    runs: { type: "string", default: "50" },
    image: { type: "string" },
    token: { type: "string", default: process.env.LLM2CLIP_TOKEN },
  },
});
const runs = Number(values.runs);
const protoRoot = path.join(import.meta.dirname, "../../proto");
const definition = grpc.loadPackageDefinition(loadSync("llm2clip/v1/llm2clip.proto", { includeDirs: [protoRoot] }));
const client = new definition.llm2clip.v1.Llm2Clip(values.address, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
if (values.token) metadata.set("authorization", `Bearer ${values.token}`);

const call = (method, request) =>
  new Promise((resolve, reject) => client[method](request, metadata, (error, response) => (error ? reject(error) : resolve(response))));

async function timed(method, request) {
  const start = process.hrtime.bigint();
  const response = await call(method, request);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, response };
}

function summary(label, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(`${label.padEnd(44)} p50 ${at(0.5).toFixed(2).padStart(7)} ms   p90 ${at(0.9).toFixed(2).padStart(7)} ms   (n=${sorted.length})`);
}

const image = values.image
  ? readFileSync(values.image)
  : await sharp({ create: { width: 256, height: 192, channels: 3, background: "#c02020" } }).png().toBuffer();
const nonce = Date.now().toString(36);
const info = await call("GetModelInfo", {});
console.log(`model ${info.name} on ${info.device} (${info.precision}), embed_dim ${info.embedDim}, ${values.address}`);

const warmCaptions = ["a diagram", "a red circle", "a blue square"];
await call("ScoreCaptions", { image: { data: image }, captions: warmCaptions });

const score = { cold: [], warm: [] };
const texts = { cold: [], warm: [] };
for (let i = 0; i < runs; i++) {
  const fresh = warmCaptions.map((caption) => `${caption} ${nonce} ${i}`);
  score.cold.push((await timed("ScoreCaptions", { image: { data: image }, captions: fresh })).ms);
  score.warm.push((await timed("ScoreCaptions", { image: { data: image }, captions: warmCaptions })).ms);
  const text = `a large green star at the bottom left, run ${nonce} ${i}`;
  const cold = await timed("EmbedTexts", { texts: [text] });
  const warm = await timed("EmbedTexts", { texts: [text] });
  if (cold.response.results[0].cached || !warm.response.results[0].cached) throw new Error("the text cache did not behave as expected");
  texts.cold.push(cold.ms);
  texts.warm.push(warm.ms);
}
summary("ScoreCaptions 1 image x 3 captions, cold", score.cold);
summary("ScoreCaptions 1 image x 3 captions, warm", score.warm);
summary("EmbedTexts 1 text, cache cold", texts.cold);
summary("EmbedTexts 1 text, cache warm", texts.warm);
client.close();
