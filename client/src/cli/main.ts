import { parseArgs } from "node:util";
import { connect } from "../connection";
import { indexCommand } from "./commands/index-dir";
import { lintAltCommand } from "./commands/lint-alt";
import { DEFAULT_LLM_REPO, DEFAULT_VISION_REPO, modelPullCommand } from "./commands/model-pull";
import { scoreCommand } from "./commands/score";
import { searchCommand } from "./commands/search";
import { suggestAltCommand } from "./commands/suggest-alt";
import { EXIT_ERROR, EXIT_OK, UsageError, describeError, type Io } from "./io";

export const DEFAULT_SERVER = "127.0.0.1:50051";

const HELP = `llm2clip: a command-line client of llm2clipd

usage: llm2clip [options] <command> [arguments]

commands:
  score <image> <caption>...              probabilities of the captions for the image
  index <dir> --collection <name>         sync a folder's images (png jpg gif webp svg) and their alt texts into a collection
  search "<query>" --collection <name>    rank a collection's images; the query may be an rclip-style
                                          expression: cat + 2:"red" - "a dog"
  suggest-alt <image>                     score --alt and suggest alt text for an image
  lint-alt <files|folders|globs>...       check the alt text of images in Markdown, MDX, HTML, JSX/TSX and Vue;
                                          exits 1 on missing alt text or a model-free anti-pattern (file name,
                                          "image", "picture of ..."); the model's verdicts are warnings or info
                                          and need the daemon, the rest runs without one
  model pull [<repo-id>] [--llm <repo-id>] [--revision R] [--llm-revision R] [--out DIR] [--fp16]
                                          download an LLM2CLIP checkpoint pair from the Hugging Face Hub (HF_ENDPOINT,
                                          HF_TOKEN, the HF cache), check each file against the Hub's sha256/ETag,
                                          and export the model folder that llm2clipd --model serves (needs Python with
                                          torch, onnx and numpy: LLM2CLIP_PYTHON, default python3). Default pair:
                                          ${DEFAULT_VISION_REPO} with
                                          ${DEFAULT_LLM_REPO}

options:
  --server <host:port>   the daemon (default ${DEFAULT_SERVER}, or LLM2CLIP_SERVER)
  --tls                  connect with TLS, trusting the system CAs
  --ca <file.pem>        connect with TLS, trusting this CA or self-signed certificate
  --token <token>        bearer token (default: LLM2CLIP_TOKEN)
  --json                 print JSON
  -c, --collection <name>
  -k, --top <n>          results to show (search, suggest-alt)
  --min-score <cosine>   search: drop hits below this cosine
  --include <glob>       search: only paths matching (repeatable)
  --exclude <glob>       search: skip paths matching (repeatable)
  --keep-missing         index: keep indexed images that are gone from the folder
  --alt <text>           suggest-alt: the current alt text
  --context <text>       suggest-alt: text around the image
  --heading <text>       suggest-alt: the heading above the image
  --format <f>           lint-alt: text (default), json or sarif
  --fail-on <severity>   lint-alt: exit 1 on findings of error (default), warning or info and above
  --llm <repo-id>        model pull: the LLM checkpoint
  --revision <R>         model pull: branch, tag or commit of <repo-id> (default main)
  --llm-revision <R>     model pull: branch, tag or commit of the LLM (default main)
  --out <dir>            model pull: the model folder to write (default ./<repo name>+<llm name>)
  --fp16                 model pull: also write float16 graphs (for --device cuda)
  --root <dir>           lint-alt: the folder a site-rooted source (/img/x.png) means; default: detected
                         among static/, public/, docs/public/, assets/ and ./
  -h, --help

exit status: 0 ok, 1 lint-alt found problems at --fail-on or above, 2 usage error or the daemon answered with an error
`;

/** Runs the CLI; resolves with the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: "string" },
        tls: { type: "boolean" },
        ca: { type: "string" },
        token: { type: "string" },
        json: { type: "boolean" },
        collection: { type: "string", short: "c" },
        top: { type: "string", short: "k" },
        "min-score": { type: "string" },
        include: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        "keep-missing": { type: "boolean" },
        alt: { type: "string" },
        context: { type: "string" },
        heading: { type: "string" },
        format: { type: "string" },
        "fail-on": { type: "string" },
        root: { type: "string" },
        llm: { type: "string" },
        revision: { type: "string" },
        "llm-revision": { type: "string" },
        out: { type: "string" },
        fp16: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.stderr.write(`llm2clip: ${(error as Error).message}\n\n${HELP}`);
    return EXIT_ERROR;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr).write(HELP);
    return values.help ? EXIT_OK : EXIT_ERROR;
  }
  if (command === "model") {
    const [subcommand, ...rest] = args;
    try {
      if (subcommand !== "pull") throw new UsageError(`unknown model command ${JSON.stringify(subcommand ?? "")}; the one there is: model pull`);
      const options = { llm: values.llm, revision: values.revision, llmRevision: values["llm-revision"], out: values.out, fp16: values.fp16 ?? false };
      return await modelPullCommand(io, rest, options, env);
    } catch (error) {
      io.stderr.write(`llm2clip: ${describeError(error)}\n`);
      return EXIT_ERROR;
    }
  }
  const json = values.json ?? false;
  const server = values.server ?? env.LLM2CLIP_SERVER ?? DEFAULT_SERVER;
  const connection = connect({
    server,
    tls: values.tls ?? false,
    ca: values.ca,
    token: values.token ?? env.LLM2CLIP_TOKEN,
  });
  try {
    const top = integerOption(values.top, "--top");
    switch (command) {
      case "score":
        return await scoreCommand(connection, io, args, json);
      case "index":
        return await indexCommand(connection, io, args, { collection: values.collection, keepMissing: values["keep-missing"] ?? false }, json);
      case "search":
        return await searchCommand(
          connection,
          io,
          args,
          {
            collection: values.collection,
            top,
            minScore: numberOption(values["min-score"], "--min-score"),
            include: values.include ?? [],
            exclude: values.exclude ?? [],
          },
          json,
        );
      case "suggest-alt":
        return await suggestAltCommand(
          connection,
          io,
          args,
          { alt: values.alt, collection: values.collection, context: values.context, heading: values.heading, top },
          json,
        );
      case "lint-alt":
        return await lintAltCommand(
          connection,
          io,
          args,
          { format: values.format, collection: values.collection, root: values.root, failOn: values["fail-on"], server },
          json,
        );
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; see llm2clip --help`);
    }
  } catch (error) {
    io.stderr.write(`llm2clip: ${describeError(error)}\n`);
    return EXIT_ERROR;
  } finally {
    connection.client.close();
  }
}

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new UsageError(`${name} must be a number, not ${JSON.stringify(value)}`);
  return number;
}

function integerOption(value: string | undefined, name: string): number | undefined {
  const number = numberOption(value, name);
  if (number !== undefined && (!Number.isInteger(number) || number < 1)) throw new UsageError(`${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return number;
}
