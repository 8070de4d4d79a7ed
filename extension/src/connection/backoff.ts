// Reconnect delays: exponential with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"), so that
// several editor windows that lose the same daemon do not retry in lockstep.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 };

/** The delay before retry number `attempt` (0-based); `random` in [0, 1) picks a point in the upper half of the window. */
export function backoffDelay(attempt: number, random: number = Math.random(), options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
