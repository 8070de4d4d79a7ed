import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Llm2ClipError, type ErrorKind } from "../../src/errors";
import { GrpcStatusError, RETRY_AFTER_MS_KEY, statusCodeOf, toServiceError } from "../../src/grpc/errors";

// The gRPC status every domain error kind reaches clients with (the status code names match the kinds).
const EXPECTED: [ErrorKind, status][] = [
  ["invalid_argument", status.INVALID_ARGUMENT],
  ["not_found", status.NOT_FOUND],
  ["already_exists", status.ALREADY_EXISTS],
  ["failed_precondition", status.FAILED_PRECONDITION],
  ["out_of_range", status.OUT_OF_RANGE],
  ["resource_exhausted", status.RESOURCE_EXHAUSTED],
  ["cancelled", status.CANCELLED],
  ["deadline_exceeded", status.DEADLINE_EXCEEDED],
  ["unavailable", status.UNAVAILABLE],
  ["internal", status.INTERNAL],
];

describe("toServiceError", () => {
  it.each(EXPECTED)("answers a %s error with its status and message", (kind, code) => {
    const answer = toServiceError(new Llm2ClipError(kind, "texts[1]: why", "texts[1]"));
    expect(answer).toMatchObject({ code, details: "texts[1]: why" });
    expect(answer.metadata).toBeInstanceOf(Metadata);
    expect(answer.metadata!.get(RETRY_AFTER_MS_KEY)).toEqual([]);
  });

  it("tells a client how long to wait before retrying, in milliseconds, in the retry-after-ms header", () => {
    const answer = toServiceError(new Llm2ClipError("resource_exhausted", "queue full", undefined, 250));
    expect(RETRY_AFTER_MS_KEY).toBe("retry-after-ms");
    expect(answer.metadata!.get("retry-after-ms")).toEqual(["250"]);
    expect(toServiceError(new Llm2ClipError("resource_exhausted", "queue full", undefined, 0)).metadata!.get("retry-after-ms")).toEqual(["0"]);
  });

  it("keeps a transport status such as UNAUTHENTICATED as it is", () => {
    const error = new GrpcStatusError(status.UNAUTHENTICATED, "missing token");
    expect(error).toMatchObject({ name: "GrpcStatusError", message: "missing token", code: status.UNAUTHENTICATED });
    expect(toServiceError(error)).toEqual({ code: status.UNAUTHENTICATED, details: "missing token" });
  });

  it("answers anything else as INTERNAL, saying what went wrong", () => {
    expect(toServiceError(new TypeError("x is undefined"))).toEqual({ code: status.INTERNAL, details: "internal error: x is undefined" });
    expect(toServiceError("a thrown string")).toEqual({ code: status.INTERNAL, details: "internal error: a thrown string" });
  });
});

describe("statusCodeOf", () => {
  it.each(EXPECTED)("gives a %s error's item in a stream the same status as a whole call", (kind, code) => {
    expect(statusCodeOf(new Llm2ClipError(kind, "why"))).toBe(code);
  });

  it("gives any other failure INTERNAL", () => {
    expect(statusCodeOf(new Error("boom"))).toBe(status.INTERNAL);
  });
});
