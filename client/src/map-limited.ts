// Bounded concurrency, shared by lint-alt, the extension's alt-text checker and the benchmark's closed loop.

/** Runs at most `concurrency` of the given tasks at a time, keeping the results in order. */
export async function mapLimited<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
