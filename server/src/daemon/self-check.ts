// The start-up self-check: the manifest's sample image scored against its captions, printed as a probability table
// like the example in LLM2CLIP's README.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CaptionScore } from "@llm2clip/proto";
import type { Llm2ClipModel } from "../model/types";
import { scoreEncodings } from "../scoring";

const BAR_WIDTH = 30;

export interface SelfCheck {
  imagePath: string;
  scores: CaptionScore[];
}

/** Scores the manifest's self_check image against its captions; undefined when the manifest declares none. */
export async function runSelfCheck(model: Llm2ClipModel): Promise<SelfCheck | undefined> {
  const selfCheck = model.info.selfCheck;
  if (selfCheck === undefined) return undefined;
  const image = await readFile(selfCheck.imagePath);
  // One item at a time: the check must pass under any --max-queue, however small.
  const imageEmbedding = await model.embedImage(image);
  const encodings = [];
  for (const caption of selfCheck.captions) encodings.push(await model.embedText(caption));
  const scores = scoreEncodings(imageEmbedding.embedding, selfCheck.captions, encodings, model.info.logitScale);
  return { imagePath: selfCheck.imagePath, scores };
}

export function formatSelfCheck({ imagePath, scores }: SelfCheck, modelDir: string): string {
  const captionWidth = Math.max("caption".length, ...scores.map((score) => score.caption.length + 2));
  const rows = scores.map((score) => {
    const caption = JSON.stringify(score.caption).padEnd(captionWidth);
    const bar = "█".repeat(Math.round(score.probability * BAR_WIDTH));
    return `  ${caption}  ${score.probability.toFixed(4)}  ${score.cosine.toFixed(4).padStart(7)}  ${bar}`.trimEnd();
  });
  return [
    `self-check: ${path.relative(modelDir, imagePath)} against ${scores.length} captions`,
    `  ${"caption".padEnd(captionWidth)}  prob.    cosine`,
    ...rows,
    "",
  ].join("\n");
}
