import { status, type ServiceError } from "@grpc/grpc-js";

/** Where a command writes: results to stdout, progress and diagnostics to stderr. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
}

export const EXIT_OK = 0;
/** lint-alt found problems. */
export const EXIT_PROBLEMS = 1;
/** Bad usage, or the daemon answered with an error. */
export const EXIT_ERROR = 2;

export class UsageError extends Error {}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** "NOT_FOUND: collection: collection 'x' does not exist" for a gRPC error, the message otherwise. */
export function describeError(error: unknown): string {
  const grpc = error as Partial<ServiceError>;
  if (typeof grpc.code === "number" && grpc.details !== undefined) return `${status[grpc.code] ?? grpc.code}: ${grpc.details}`;
  return error instanceof Error ? error.message : String(error);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
