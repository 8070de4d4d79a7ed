// Retries that honour the daemon's back-pressure: a full queue answers RESOURCE_EXHAUSTED with a `retry-after-ms`
// trailer, and the call is repeated once that long has passed, a few times at most.
// Nothing else is retried: other codes mean the request is wrong, or the daemon is gone, which the caller reports.
import { status, type ServiceError } from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";

export const RETRY_AFTER_MS_KEY = "retry-after-ms";

export interface RetryPolicy {
  /** Calls in all, the first included. */
  maxAttempts: number;
  /** A hint longer than this is not waited for: the error goes to the caller. */
  maxWaitMs: number;
  signal?: AbortSignal;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, maxWaitMs: 10_000 };

/** How long the daemon asks the caller to wait before trying again; undefined when the error is not back-pressure. */
export function retryAfterMs(error: unknown): number | undefined {
  const { code, metadata } = error as Partial<ServiceError>;
  if (code !== status.RESOURCE_EXHAUSTED || metadata === undefined) return undefined;
  const [hint] = metadata.get(RETRY_AFTER_MS_KEY);
  const ms = Number(hint);
  return hint !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Runs `call`, and again after each back-pressure answer, waiting as long as the daemon asks. */
export async function withRetries<T>(call: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const wait = retryAfterMs(error);
      if (wait === undefined || attempt >= policy.maxAttempts || wait > policy.maxWaitMs) throw error;
      await sleep(wait, undefined, { signal: policy.signal });
    }
  }
}
