/**
 * The k highest-scoring items, best first, kept in a bounded min-heap so that a scan of n items costs O(n log k)
 * instead of sorting all n.
 */
export class TopK<T> {
  private readonly heap: { score: number; item: T }[] = [];

  constructor(private readonly k: number) {}

  /** A score must beat this to get in: the lowest kept score once the heap is full; with k = 0 nothing gets in. */
  get threshold(): number {
    if (this.k <= 0) return Infinity;
    return this.heap.length < this.k ? -Infinity : this.heap[0]!.score;
  }

  offer(score: number, item: T): void {
    if (this.k <= 0) return;
    if (this.heap.length < this.k) {
      this.heap.push({ score, item });
      this.siftUp(this.heap.length - 1);
    } else if (score > this.heap[0]!.score) {
      this.heap[0] = { score, item };
      this.siftDown(0);
    }
  }

  sorted(): { score: number; item: T }[] {
    return [...this.heap].sort((a, b) => b.score - a.score);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      // Stryker disable next-line EqualityOperator: `<` (moving a score above a parent that ties it) leaves a valid heap of the same scores; `>`, disabled with it, fails top-k.property.test.ts (run by hand)
      if (heap[parent]!.score <= heap[i]!.score) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    // Stryker disable next-line EqualityOperator: `<=` (moving a score below a child that ties it) leaves a valid heap of the same scores; `>=`, disabled with it, fails top-k.property.test.ts (run by hand)
    const lower = (a: number, b: number) => heap[a]!.score < heap[b]!.score;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && lower(left, smallest)) smallest = left;
      if (right < heap.length && lower(right, smallest)) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}
