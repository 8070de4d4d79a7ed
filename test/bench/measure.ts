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

export interface RoundsResult {
  /** Each peer's measurement per round, in the order measured. */
  samples: Record<string, number[]>;
  /** samples[a][r] / samples[b][r] per round, and their median, min and max. */
  ratios: number[];
  median: number;
  min: number;
  max: number;
}

/**
 * Measures two peers in alternating rounds (A B A B …), so that load on a shared machine falls on both alike, and
 * reports the per-round ratio a ÷ b with its median and spread.
 */
export async function alternateRounds(rounds: number, a: [string, () => Promise<number>], b: [string, () => Promise<number>]): Promise<RoundsResult> {
  const samples: Record<string, number[]> = { [a[0]]: [], [b[0]]: [] };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const x = await a[1]();
    const y = await b[1]();
    samples[a[0]]!.push(x);
    samples[b[0]]!.push(y);
    ratios.push(x / y);
  }
  const sorted = [...ratios].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { samples, ratios, median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}
