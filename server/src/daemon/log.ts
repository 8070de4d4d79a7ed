// The daemon's log: one line per event on stderr, so that stdout carries only the self-check and the address.
import type { Logger } from "../grpc/deps";

export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at = (level: string) => (message: string) => write(`${new Date().toISOString()} ${level} ${message}\n`);
  return { info: at("info"), warn: at("warn"), error: at("error") };
}
