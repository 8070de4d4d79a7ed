// llm2clip: the command-line client of llm2clipd (see cli/main.ts).
import { main } from "./cli/main";

main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`llm2clip: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
