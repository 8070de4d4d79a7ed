// Bearer-token check for every RPC except the ones a load balancer or orchestrator must reach without credentials.
import { createHash, timingSafeEqual } from "node:crypto";
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";

const BEARER = /^Bearer\s+(.+)$/i;

/** Rejects calls whose `authorization` metadata is not `Bearer <token>` with UNAUTHENTICATED, except on exempt paths. */
export function bearerTokenInterceptor(token: string, isExempt: (methodPath: string) => boolean): ServerInterceptor {
  const expected = digest(token);
  return (method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const problem = isExempt(method.path) ? undefined : authorizationProblem(metadata, expected);
            if (problem === undefined) nextMetadata(metadata);
            else call.sendStatus({ code: status.UNAUTHENTICATED, details: `authorization: ${problem}`, metadata: new Metadata() });
          },
        }),
    });
}

function authorizationProblem(metadata: Metadata, expected: Buffer): string | undefined {
  const values = metadata.get("authorization");
  if (values.length === 0) return "metadata is missing; send 'authorization: Bearer <token>'";
  const match = BEARER.exec(String(values[0]));
  if (match === null) return "must have the form 'Bearer <token>'";
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  if (!timingSafeEqual(digest(match[1].trim()), expected)) return "the bearer token is not valid";
  return undefined;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
