// llm2clip: the command-line client of llm2clipd (see ./main.ts).
import { main } from "./main";

// grpc-js passes the host as TLS servername even when it is an IP address, and Node answers with DEP0123 on every TLS
// connection to 127.0.0.1: noise about a dependency's internals that a CLI user can do nothing about.
process.noDeprecation = true;

main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`llm2clip: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
