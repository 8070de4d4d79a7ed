import { describe, expect, it } from "vitest";
import { mapLimited } from "../src/map-limited";

describe("mapLimited", () => {
  it("keeps results in input order with never more than `concurrency` tasks in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 15, 8, 2];
    const results = await mapLimited(delays, 3, async (ms) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return ms * 2;
    });
    expect(results).toEqual(delays.map((ms) => ms * 2));
    expect(most).toBe(3);
  });

  it("returns an empty list for no items", async () => {
    expect(await mapLimited([], 4, async () => 1)).toEqual([]);
  });
});
