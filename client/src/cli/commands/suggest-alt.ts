import { SuggestionSource, Verdict, type SuggestAltTextResponse } from "@llm2clip/proto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { unary, type Connection } from "../../connection";
import { EXIT_OK, UsageError, printJson, type Io } from "../io";

export interface SuggestOptions {
  alt?: string;
  collection?: string;
  context?: string;
  heading?: string;
  top?: number;
}

export const VERDICT_NAMES: Record<number, string> = {
  [Verdict.VERDICT_MISSING]: "missing",
  [Verdict.VERDICT_GOOD]: "good",
  [Verdict.VERDICT_WEAK]: "weak",
  [Verdict.VERDICT_MISMATCH]: "mismatch",
};

export const SOURCE_NAMES: Record<number, string> = {
  [SuggestionSource.SUGGESTION_SOURCE_CONTEXT]: "context",
  [SuggestionSource.SUGGESTION_SOURCE_COLLECTION]: "collection",
  [SuggestionSource.SUGGESTION_SOURCE_CAPTION_BANK]: "caption bank",
  [SuggestionSource.SUGGESTION_SOURCE_COMPOSED]: "composed",
  [SuggestionSource.SUGGESTION_SOURCE_IMAGE_TEXT]: "image text",
};

/** `suggest-alt <image>`: scores the current alt text (--alt) and lists better ones. */
export async function suggestAltCommand(connection: Connection, io: Io, args: string[], options: SuggestOptions, json: boolean): Promise<number> {
  if (args.length !== 1) throw new UsageError("suggest-alt needs exactly one image");
  const image = args[0]!;
  const data = await readFile(path.resolve(io.cwd, image));
  const response = await unary<SuggestAltTextResponse>((done) =>
    connection.client.suggestAltText(
      {
        image: { data },
        currentAlt: options.alt ?? "",
        context: { surroundingText: options.context ?? "", heading: options.heading ?? "", fileName: path.basename(image) },
        collection: options.collection ?? "",
        maxSuggestions: options.top ?? 5,
      },
      connection.metadata(),
      done,
    ),
  );
  if (json) {
    printJson(io, {
      image,
      current: { alt: options.alt ?? "", cosine: response.current?.cosine, verdict: VERDICT_NAMES[response.current?.verdict ?? 0] },
      thresholds: response.thresholds,
      suggestions: response.suggestions.map((s) => ({ text: s.text, cosine: s.cosine, source: SOURCE_NAMES[s.source] })),
    });
    return EXIT_OK;
  }
  const current = response.current!;
  const verdict = VERDICT_NAMES[current.verdict] ?? "unknown";
  io.stdout.write(
    options.alt
      ? `current alt ${JSON.stringify(options.alt)}: ${verdict} (cosine ${current.cosine.toFixed(4)}; good >= ${response.thresholds?.good.toFixed(3)}, mismatch < ${response.thresholds?.mismatch.toFixed(3)})\n`
      : "current alt: missing\n",
  );
  for (const suggestion of response.suggestions) {
    io.stdout.write(`${suggestion.cosine.toFixed(4)}  ${JSON.stringify(suggestion.text)}  (${SOURCE_NAMES[suggestion.source]})\n`);
  }
  return EXIT_OK;
}
