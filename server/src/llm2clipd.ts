// llm2clipd: the daemon's entry point (see daemon/main.ts).
import { main } from "./daemon/main";

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`llm2clipd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
