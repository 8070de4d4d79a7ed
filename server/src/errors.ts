// Domain errors, free of any transport. The gRPC layer maps each kind onto a status code
// (grpc/errors.ts); the CLI and tests read `field` and the message.
export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "out_of_range"
  | "resource_exhausted"
  | "cancelled"
  | "deadline_exceeded"
  | "unavailable"
  | "internal";

export class Llm2ClipError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The request field at fault, e.g. `captions[2]` or `image.data`. */
    readonly field?: string,
    /** For resource_exhausted: how long the client should wait before retrying. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "Llm2ClipError";
  }
}

export function invalidArgument(field: string, message: string): Llm2ClipError {
  return new Llm2ClipError("invalid_argument", `${field}: ${message}`, field);
}
