import type { ModelInfo } from "@llm2clip/proto";
import { describe, expect, it } from "vitest";
import { combinedProgress, progressPercent, progressText, type IndexProgress } from "../src/indexing/index-progress";
import { statusText } from "../src/statusbar/status-text";

const connected = { kind: "connected", target: "127.0.0.1:50051", model: { name: "m", device: "cpu", precision: "float32", embedDim: 8 } as ModelInfo } as const;

describe("index progress", () => {
  it("words each step with its counts", () => {
    expect(progressText({ step: "finding", done: 0, total: 0 })).toBe("finding images");
    expect(progressText({ step: "reading", done: 412, total: 1108 })).toBe("reading 412/1108");
    expect(progressText({ step: "embedding", done: 90, total: 1108 })).toBe("embedding 90/1108");
  });

  it("gives the status bar the same step and counts as the notification, at every step of a run", () => {
    const run: IndexProgress[] = [
      { step: "finding", done: 0, total: 0 },
      { step: "reading", done: 0, total: 1108 },
      { step: "reading", done: 412, total: 1108 },
      { step: "embedding", done: 90, total: 1108 },
    ];
    for (const progress of run) {
      const bar = statusText(connected, [{ name: "docs", phase: "indexing", progress, assets: 0 }]);
      expect(bar.text).toBe(`$(sync~spin) LLM2CLIP: ${progressText(progress)}`);
    }
  });

  it("never shows 0/0 once the images are found", () => {
    const bar = statusText(connected, [{ name: "docs", phase: "indexing", progress: { step: "reading", done: 0, total: 1108 }, assets: 0 }]);
    expect(bar.text).toBe("$(sync~spin) LLM2CLIP: reading 0/1108");
  });

  it("fills the notification's bar half by reading and half by embedding", () => {
    expect(progressPercent({ step: "finding", done: 0, total: 0 })).toBe(0);
    expect(progressPercent({ step: "reading", done: 554, total: 1108 })).toBe(25);
    expect(progressPercent({ step: "embedding", done: 0, total: 0 })).toBe(50);
    expect(progressPercent({ step: "embedding", done: 1108, total: 1108 })).toBe(100);
  });

  it("combines folders at the step of the one furthest behind", () => {
    expect(combinedProgress([])).toBeUndefined();
    expect(
      combinedProgress([
        { step: "embedding", done: 5, total: 10 },
        { step: "reading", done: 3, total: 20 },
        { step: "reading", done: 1, total: 4 },
      ]),
    ).toEqual({ step: "reading", done: 4, total: 24 });
  });
});
