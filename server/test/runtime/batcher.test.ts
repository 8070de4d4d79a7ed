import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { type BatchLimits, DynamicBatcher } from "../../src/runtime/batcher";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A one-item-per-run batcher whose runs wait until `gate` opens, so tests can hold items in its queue. */
function gatedBatcher(maxQueue: number) {
  const gate = deferred<void>();
  const batcher = new DynamicBatcher<number, number>(
    "vision",
    async (inputs) => {
      await gate.promise;
      return inputs;
    },
    { maxBatch: 1, maxWaitMs: 0, maxQueue },
  );
  return { gate, batcher };
}

describe("DynamicBatcher", () => {
  it("coalesces concurrent calls into bounded batches and gives each caller its own result", async () => {
    const batches: number[][] = [];
    const batcher = new DynamicBatcher<number, string>(
      "test",
      async (inputs) => {
        batches.push(inputs);
        await new Promise((r) => setTimeout(r, 2));
        return inputs.map((n) => `result-${n}`);
      },
      { maxBatch: 8, maxWaitMs: 5, maxQueue: 100 },
    );
    const inputs = Array.from({ length: 50 }, (_, i) => i);
    const results = await Promise.all(inputs.map((n) => batcher.submit(n)));
    expect(results).toEqual(inputs.map((n) => `result-${n}`));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(inputs);
    expect(Math.max(...batches.map((b) => b.length))).toBe(8);
    expect(batches.length).toBeLessThanOrEqual(7);
  });

  it("waits up to maxWaitMs for company, then sends a partial batch", async () => {
    const batches: number[][] = [];
    const batcher = new DynamicBatcher<number, number>("test", async (inputs) => (batches.push(inputs), inputs), {
      maxBatch: 16,
      maxWaitMs: 30,
      maxQueue: 100,
    });
    const first = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const rest = [batcher.submit(2), batcher.submit(3)];
    expect(await Promise.all([first, ...rest])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("answers resource_exhausted with a retry hint when the queue is full", async () => {
    const { gate, batcher } = gatedBatcher(2);
    const running = batcher.submit(0);
    await new Promise((r) => setTimeout(r, 5)); // item 0 is now running and has left the queue
    const queued = [batcher.submit(1), batcher.submit(2)];
    const refused = await batcher.submit(3).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Llm2ClipError);
    const error = refused as Llm2ClipError;
    expect(error.kind).toBe("resource_exhausted");
    expect(error.message).toContain("maxQueue 2");
    expect(error.retryAfterMs).toBeGreaterThan(0);
    // Under saturation the hints grow with every refused call, which will come back: retries spread out.
    const hints = await Promise.all([5, 6, 7].map((n) => batcher.submit(n).catch((e: Llm2ClipError) => e.retryAfterMs)));
    expect(hints[0]).toBeGreaterThan(error.retryAfterMs!);
    expect(hints[1]).toBeGreaterThan(hints[0] as number);
    expect(hints[2]).toBeGreaterThan(hints[1] as number);
    gate.resolve();
    expect(await Promise.all([running, ...queued])).toEqual([0, 1, 2]);
    // Once drained, it admits work again.
    expect(await batcher.submit(4)).toBe(4);
  });

  it("drops aborted work that has not started and rejects it with cancelled", async () => {
    const seen: number[] = [];
    const gate = deferred<void>();
    const batcher = new DynamicBatcher<number, number>(
      "llm",
      async (inputs) => {
        seen.push(...inputs);
        await gate.promise;
        return inputs;
      },
      { maxBatch: 1, maxWaitMs: 0, maxQueue: 10 },
    );
    const first = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const controller = new AbortController();
    const aborted = batcher.submit(2, controller.signal).catch((e: unknown) => e);
    const kept = batcher.submit(3);
    controller.abort();
    const error = (await aborted) as Llm2ClipError;
    expect(error.kind).toBe("cancelled");
    gate.resolve();
    expect(await Promise.all([first, kept])).toEqual([1, 3]);
    expect(seen).toEqual([1, 3]);

    const late = new AbortController();
    late.abort();
    await expect(batcher.submit(4, late.signal)).rejects.toMatchObject({ kind: "cancelled" });
    expect(seen).toEqual([1, 3]);
  });

  it("rejects with the abort reason when it is an Llm2ClipError (e.g. a deadline)", async () => {
    const batcher = new DynamicBatcher<number, number>("llm", async (inputs) => inputs, { maxBatch: 4, maxWaitMs: 50, maxQueue: 10 });
    const controller = new AbortController();
    const call = batcher.submit(1, controller.signal);
    controller.abort(new Llm2ClipError("deadline_exceeded", "deadline passed"));
    await expect(call).rejects.toMatchObject({ kind: "deadline_exceeded" });
  });

  it("fails a whole batch with internal when the graph fails, and keeps serving", async () => {
    let fail = true;
    const batcher = new DynamicBatcher<number, number>(
      "adapter",
      async (inputs) => {
        if (fail) throw new Error("boom");
        return inputs;
      },
      { maxBatch: 4, maxWaitMs: 1, maxQueue: 10 },
    );
    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: "internal", message: "adapter graph: boom" });
    }
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });

  it("holds a queue slot while an input is prepared, and passes a preparation failure to its caller only", async () => {
    const batches: number[][] = [];
    const batcher = new DynamicBatcher<number, number>("vision", async (inputs) => (batches.push(inputs), inputs), {
      maxBatch: 4,
      maxWaitMs: 1,
      maxQueue: 2,
    });
    const slow = deferred<number>();
    const preparing = batcher.submitPrepared(() => slow.promise);
    const failing = batcher.submitPrepared(() => Promise.reject(new Llm2ClipError("invalid_argument", "image: corrupt", "image")));
    await expect(failing).rejects.toMatchObject({ kind: "invalid_argument", field: "image" });
    const other = batcher.submit(7);
    await expect(batcher.submit(8)).rejects.toMatchObject({ kind: "resource_exhausted" });
    slow.resolve(5);
    expect(await Promise.all([preparing, other])).toEqual([5, 7]);
    expect(batches.flat().sort()).toEqual([5, 7]);
  });

  it("does not start preparing an input it refuses or whose signal is already aborted", async () => {
    const { gate, batcher } = gatedBatcher(1);
    let prepared = 0;
    const prepare = (value: number) => async () => (prepared++, value);
    const running = batcher.submitPrepared(prepare(1));
    await new Promise((r) => setTimeout(r, 5));
    const queued = batcher.submitPrepared(prepare(2));
    await expect(batcher.submitPrepared(prepare(3))).rejects.toMatchObject({ kind: "resource_exhausted" });
    const aborted = new AbortController();
    aborted.abort();
    await expect(batcher.submitPrepared(prepare(4), aborted.signal)).rejects.toMatchObject({ kind: "cancelled" });
    expect(prepared).toBe(2);
    gate.resolve();
    expect(await Promise.all([running, queued])).toEqual([1, 2]);
  });

  it("refuses limits that could never dispatch, naming the limit", () => {
    const make = (limits: Partial<BatchLimits>) => () =>
      new DynamicBatcher<number, number>("llm", async (x) => x, { maxBatch: 4, maxWaitMs: 0, maxQueue: 8, ...limits });
    expect(make({ maxBatch: 0 })).toThrow("batching.llm.maxBatch: 0 is not an integer of at least 1");
    expect(make({ maxQueue: 1.5 })).toThrow("batching.llm.maxQueue: 1.5 is not an integer of at least 1");
    expect(make({ maxWaitMs: -1 })).toThrow("batching.llm.maxWaitMs: -1 is not a number of milliseconds of at least 0");
    expect(make({})).not.toThrow();
  });

  it("on close, rejects queued work as unavailable and waits for the running batch", async () => {
    const gate = deferred<void>();
    let finished = false;
    const batcher = new DynamicBatcher<number, number>(
      "vision",
      async (inputs) => {
        await gate.promise;
        finished = true;
        return inputs;
      },
      { maxBatch: 1, maxWaitMs: 0, maxQueue: 4 },
    );
    const running = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const queued = batcher.submit(2).catch((e: unknown) => e);
    let closed = false;
    const closing = batcher.close().then(() => (closed = true));
    expect(await queued).toMatchObject({ kind: "unavailable" });
    await expect(batcher.submit(3)).rejects.toMatchObject({ kind: "unavailable" });
    await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(finished).toBe(true);
    expect(await running).toBe(1);
  });
});
