import type { ScoreCaptionsResponse } from "@llm2clip/proto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { unary, type Connection } from "../../connection";
import { EXIT_OK, UsageError, printJson, type Io } from "../io";

const BAR_WIDTH = 30;

/** `score <image> <caption>...`: the probability table of LLM2CLIP's README example. */
export async function scoreCommand(connection: Connection, io: Io, args: string[], json: boolean): Promise<number> {
  const [image, ...captions] = args;
  if (!image || captions.length === 0) throw new UsageError("score needs an image and at least one caption");
  const data = await readFile(path.resolve(io.cwd, image));
  const response = await unary<ScoreCaptionsResponse>((done) =>
    connection.client.scoreCaptions({ image: { data }, captions }, connection.metadata(), done),
  );
  if (json) {
    printJson(io, { image, logitScale: response.logitScale, scores: response.scores });
    return EXIT_OK;
  }
  const width = Math.max(...response.scores.map((score) => JSON.stringify(score.caption).length), "caption".length);
  io.stdout.write(`${image}: ${response.scores.length} captions, logit scale ${Number(response.logitScale.toFixed(2))}\n`);
  io.stdout.write(`${"caption".padEnd(width)}  probability  cosine\n`);
  for (const score of response.scores) {
    const bar = "█".repeat(Math.round(score.probability * BAR_WIDTH));
    const note = score.truncated ? "  (truncated)" : "";
    io.stdout.write(`${JSON.stringify(score.caption).padEnd(width)}  ${score.probability.toFixed(4).padStart(11)}  ${score.cosine.toFixed(4).padStart(6)}  ${bar}${note}\n`);
  }
  io.stdout.write(`Label probs: [${response.scores.map((score) => score.probability.toFixed(4)).join(", ")}]\n`);
  return EXIT_OK;
}
