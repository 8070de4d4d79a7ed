// Ties server calls to AbortSignals, so that a cancelled call or a passed deadline stops the work behind it.
import { setMaxListeners } from "node:events";
import { status, type handleUnaryCall } from "@grpc/grpc-js";
import { Llm2ClipError } from "../errors";
import type { Logger } from "./deps";
import { toServiceError } from "./errors";

/** What grpc-js server calls of every kind share about cancellation. */
interface CancellableCall {
  readonly cancelled: boolean;
  once(event: "cancelled", listener: () => void): unknown;
}

/**
 * Aborts once the call is over: the client cancelled it, its deadline passed, or it was answered (grpc-js reports all
 * three as `cancelled`). Work still running for the call then has no one to answer.
 */
export function cancellationSignal(call: CancellableCall): AbortSignal {
  const controller = new AbortController();
  // Every item of the call (each text of EmbedTexts, each image of a stream) waits in a batch queue watching this
  // signal, so hundreds of listeners are normal here, not a leak.
  setMaxListeners(0, controller.signal);
  const abort = () => controller.abort(new Llm2ClipError("cancelled", "the call was cancelled or its deadline passed"));
  if (call.cancelled) abort();
  else call.once("cancelled", abort);
  return controller.signal;
}

/** A unary handler around `work`: its result or its error becomes the answer, unless the call was cancelled first. */
export function unaryHandler<Request, Response>(
  method: string,
  log: Logger,
  work: (request: Request, signal: AbortSignal) => Promise<Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    const signal = cancellationSignal(call);
    work(call.request, signal).then(
      (response) => callback(null, response),
      (error: unknown) => {
        if (signal.aborted) {
          log.info(`${method}: stopped, the call was cancelled or its deadline passed`);
          return;
        }
        const answer = toServiceError(error);
        // Client mistakes are the client's to read; a failure of the daemon itself is the operator's.
        if (answer.code === status.INTERNAL) log.error(`${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        callback(answer);
      },
    );
  };
}
