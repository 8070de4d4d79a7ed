import type { ModelInfo } from "@llm2clip/proto";
import { describe, expect, it } from "vitest";
import { statusText, type FolderSummary } from "../src/statusbar/status-text";

const model = { name: "tiny-llm2clip", device: "cpu", precision: "float32", embedDim: 128 } as ModelInfo;
const folder = (over: Partial<FolderSummary>): FolderSummary => ({
  name: "docs",
  phase: "indexed",
  progress: { step: "embedding", done: 0, total: 0 },
  assets: 0,
  ...over,
});

describe("statusText", () => {
  it("shows the connection problems", () => {
    expect(statusText({ kind: "unreachable", target: "127.0.0.1:50051", reason: "unavailable", retryInMs: 500 }, [])).toMatchObject({
      text: "$(debug-disconnect) LLM2CLIP: offline",
      warning: true,
    });
    expect(statusText({ kind: "misconfigured", reason: "bad address" }, []).tooltip).toBe("bad address");
  });

  it("shows indexing progress over all folders, then the indexed count and the device", () => {
    const connected = { kind: "connected", target: "127.0.0.1:50051", model } as const;
    const indexing = statusText(connected, [
      folder({ phase: "indexing", progress: { step: "embedding", done: 3, total: 10 } }),
      folder({ name: "b", phase: "indexing", progress: { step: "embedding", done: 1, total: 5 } }),
    ]);
    expect(indexing.text).toBe("$(sync~spin) LLM2CLIP: embedding 4/15");
    expect(indexing.tooltip).toContain("docs: indexing, embedding 3/10\nb: indexing, embedding 1/5");
    const indexed = statusText(connected, [folder({ assets: 200 }), folder({ name: "b", assets: 12 })]);
    expect(indexed.text).toBe("$(check) LLM2CLIP: 212 images · CPU");
    expect(indexed.tooltip).toBe("Daemon: 127.0.0.1:50051\nModel: tiny-llm2clip (D=128, float32)\nDevice: CPU\ndocs: 200 images indexed\nb: 12 images indexed");
    const failed = statusText(connected, [folder({ phase: "failed", error: "UNAVAILABLE" })]);
    expect(failed).toMatchObject({ text: "$(warning) LLM2CLIP: indexing failed", warning: true });
    expect(failed.tooltip).toContain("docs: indexing failed: UNAVAILABLE");
  });
});
