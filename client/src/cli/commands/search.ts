import type { SearchAssetsResponse, TextBox } from "@llm2clip/proto";
import { unary, type Connection } from "../../connection";
import { EXIT_OK, UsageError, printJson, type Io } from "../io";

export interface SearchOptions {
  collection?: string;
  top?: number;
  minScore?: number;
  include: string[];
  exclude: string[];
}

/** `search "<query>" --collection <name> --top <n>`: the query is an rclip-style expression. */
export async function searchCommand(connection: Connection, io: Io, args: string[], options: SearchOptions, json: boolean): Promise<number> {
  if (args.length === 0) throw new UsageError('search needs a query, e.g. search "a red circle" --collection docs');
  if (!options.collection) throw new UsageError("search needs --collection <name>");
  const response = await unary<SearchAssetsResponse>((done) =>
    connection.client.searchAssets(
      {
        collection: options.collection!,
        terms: [],
        expression: args.join(" "),
        topK: options.top ?? 10,
        includeGlobs: options.include,
        excludeGlobs: options.exclude,
        minScore: options.minScore,
      },
      connection.metadata(),
      done,
    ),
  );
  if (json) {
    printJson(io, response);
    return EXIT_OK;
  }
  for (const hit of response.hits) {
    io.stdout.write(`${hit.score.toFixed(4)}  ${hit.path}  (${hit.width}x${hit.height})\n`);
    if (hit.textMatch) io.stdout.write(`        text: ${JSON.stringify(hit.textMatch.snippet)}${box(hit.textMatch.box)}\n`);
  }
  io.stderr.write(`${response.hits.length} of ${response.searched} assets\n`);
  return EXIT_OK;
}

function box(b: TextBox | undefined): string {
  return b ? ` at ${b.x},${b.y} ${b.width}x${b.height}` : "";
}
