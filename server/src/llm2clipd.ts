// llm2clipd: the daemon's entry point (see daemon/main.ts).
import { main } from "./daemon/main";

// A reader that goes away (`llm2clipd | head`) must not take the daemon down with it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`llm2clipd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
