// Closed-loop load: `concurrency` workers each issue their next request as soon as the previous one answers.
import { mapLimited } from "@llm2clip/client";

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Requests per second. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank]!;
}

export function summarize(latenciesMs: number[], seconds: number): LoadResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    seconds,
    throughput: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

/** Runs `total` requests, `request(i)` for i = 0..total-1, with `concurrency` in flight. */
export async function closedLoop(total: number, concurrency: number, request: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  await mapLimited(Array.from({ length: total }, (_, i) => i), concurrency, async (i) => {
    const t0 = performance.now();
    await request(i);
    latencies.push(performance.now() - t0);
  });
  return summarize(latencies, (performance.now() - started) / 1000);
}

/** Times `fn` `times` times in a row; returns the sorted latencies in ms. */
export async function timeEach(times: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}
