import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipError, type ErrorKind } from "../errors";

const STATUS_OF: Record<ErrorKind, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  failed_precondition: status.FAILED_PRECONDITION,
  out_of_range: status.OUT_OF_RANGE,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  cancelled: status.CANCELLED,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** Metadata key carrying the retry hint of RESOURCE_EXHAUSTED answers, in milliseconds. */
export const RETRY_AFTER_MS_KEY = "retry-after-ms";

/** Maps any thrown value onto a gRPC ServiceError; unknown errors become INTERNAL without leaking internals. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  if (error instanceof Llm2ClipError) {
    const metadata = new Metadata();
    if (error.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_MS_KEY, String(error.retryAfterMs));
    return { code: STATUS_OF[error.kind], details: error.message, metadata };
  }
  if (error instanceof GrpcStatusError) return { code: error.code, details: error.message };
  return { code: status.INTERNAL, details: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}

/** The google.rpc.Code number of a domain error, for per-item errors inside streams. */
export function statusCodeOf(error: unknown): status {
  return error instanceof Llm2ClipError ? STATUS_OF[error.kind] : status.INTERNAL;
}

/** A failure that exists only at the transport, such as UNIMPLEMENTED or UNAUTHENTICATED; it has no domain kind. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = "GrpcStatusError";
  }
}
