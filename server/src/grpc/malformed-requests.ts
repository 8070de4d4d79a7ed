// A request body that does not decode is the client's mistake: INVALID_ARGUMENT, not the INTERNAL that grpc-js
// answers when a deserializer throws. The service's deserializers are wrapped to hand the failure on as a value,
// and an interceptor answers it before any handler sees it.
import { ServerInterceptingCall, status, type ServerInterceptor, type ServiceDefinition } from "@grpc/grpc-js";
import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";

const MALFORMED = Symbol("malformed request");

interface Malformed {
  [MALFORMED]: string;
}

/** `service` with deserializers that return a marker instead of throwing. */
export function tolerantDeserializers<S extends ServiceDefinition>(service: S): S {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          try {
            return method.requestDeserialize(bytes);
          } catch (error) {
            return { [MALFORMED]: (error as Error).message } satisfies Malformed;
          }
        },
      },
    ]),
  ) as S;
}

/**
 * Makes protobuf string fields decode strictly: invalid UTF-8 is refused instead of silently becoming U+FFFD (a path
 * or caption the client never sent). Process-wide, and the daemon decodes only its clients' requests.
 */
export function refuseInvalidUtf8(): void {
  const encoding = getTextEncoding();
  configureTextEncoding({ ...encoding, decodeUtf8: (bytes) => encoding.decodeUtf8(bytes, true) });
}

/** Answers INVALID_ARGUMENT to a message that tolerantDeserializers could not decode. */
export function malformedRequestInterceptor(): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            const problem = (message as Partial<Malformed> | undefined)?.[MALFORMED];
            if (problem === undefined) nextMessage(message);
            else call.sendStatus({ code: status.INVALID_ARGUMENT, details: `request: ${describe(problem)}` });
          },
        }),
    });
}

function describe(problem: string): string {
  if (/MAX_SAFE_INTEGER/.test(problem)) {
    return `a 64-bit integer field (such as size or mtime_ms) is beyond ±${Number.MAX_SAFE_INTEGER} (2^53 - 1), the largest the daemon takes`;
  }
  if (/not valid for encoding utf-8/i.test(problem)) return "a string field is not valid UTF-8";
  return `the message is not valid protobuf for this method (${problem})`;
}
