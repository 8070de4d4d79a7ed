import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkExposure, isLoopbackHost } from "../../src/daemon/exposure";
import { DEFAULT_DECODE_TIMEOUT_MS, formatListenAddress, parseDaemonArgs, parseDuration, parseListenAddress, UsageError } from "../../src/daemon/options";

describe("parseDaemonArgs", () => {
  it("defaults to loopback, auto device, the XDG cache and the documented limits", () => {
    const options = parseDaemonArgs([], { XDG_CACHE_HOME: "/xdg" })!;
    expect(options.listen).toEqual({ host: "127.0.0.1", port: 50051 });
    expect(options.device).toBe("auto");
    expect(options.dataDir).toBe(path.join("/xdg", "llm2clip"));
    expect(options.limits).toMatchObject({ maxMessageBytes: 32 * 1024 * 1024, maxImagePixels: 50_000_000 });
    expect(options.tls).toBeUndefined();
    expect(options.token).toBeUndefined();
    expect(options.modelDir).toBe(path.resolve(__dirname, "../../../models/tiny-llm2clip"));
  });

  it("passes on only the batching flags given, leaving the runtime's defaults for the rest", () => {
    expect(parseDaemonArgs([], {})!.batching).toEqual({});
    expect(parseDaemonArgs(["--max-batch", "4", "--batch-wait-ms", "0"], {})!.batching).toEqual({ maxBatch: 4, maxWaitMs: 0 });
  });

  it("reads the token from LLM2CLIP_TOKEN, and --token over it", () => {
    expect(parseDaemonArgs([], { LLM2CLIP_TOKEN: "env" })!.token).toBe("env");
    expect(parseDaemonArgs(["--token", "flag"], { LLM2CLIP_TOKEN: "env" })!.token).toBe("flag");
  });

  it("decodes images in at least two workers with a deadline, and unloads idle graphs only when asked", () => {
    const defaults = parseDaemonArgs([], {})!;
    expect(defaults.decode.workers).toBeGreaterThanOrEqual(2);
    expect(defaults.decode.timeoutMs).toBe(DEFAULT_DECODE_TIMEOUT_MS);
    expect(defaults.idleUnloadMs).toBeUndefined();
    const given = parseDaemonArgs(["--decode-workers", "3", "--decode-timeout-ms", "2500", "--idle-unload-after", "30m"], {})!;
    expect(given.decode).toEqual({ workers: 3, timeoutMs: 2500 });
    expect(given.idleUnloadMs).toBe(30 * 60_000);
  });

  it("reads durations with their unit and refuses the rest, naming the flag", () => {
    expect([parseDuration("--x", "500ms"), parseDuration("--x", "90s"), parseDuration("--x", "1.5h")]).toEqual([500, 90_000, 5_400_000]);
    for (const text of ["30", "0s", "-5m", "1d", "m", ""]) {
      expect(() => parseDuration("--idle-unload-after", text)).toThrow(new UsageError(`--idle-unload-after: expected a duration such as 30m, 90s or 500ms, got '${text}'`));
    }
  });

  it("reads --ocr on, auto or off (off by default), and names the choices for anything else", () => {
    expect(parseDaemonArgs([], {})!.ocr).toBe("off");
    for (const choice of ["on", "auto", "off"]) expect(parseDaemonArgs(["--ocr", choice], {})!.ocr).toBe(choice);
    expect(() => parseDaemonArgs(["--ocr", "screenshots"], {})).toThrow("--ocr: expected one of on, auto, off, got 'screenshots'");
  });

  it("returns undefined for --help", () => {
    expect(parseDaemonArgs(["-h"], {})).toBeUndefined();
  });
});

describe("listen addresses", () => {
  it("parses host:port and bracketed IPv6", () => {
    expect(parseListenAddress("0.0.0.0:0")).toEqual({ host: "0.0.0.0", port: 0 });
    expect(parseListenAddress("[::1]:50051")).toEqual({ host: "::1", port: 50051 });
    expect(formatListenAddress({ host: "::1", port: 1 })).toBe("[::1]:1");
    expect(() => parseListenAddress("::1:50051")).toThrow(/--listen: expected host:port/);
    expect(() => parseListenAddress("localhost:70000")).toThrow(/--listen/);
  });

  it("counts only loopback literals and localhost as loopback", () => {
    for (const host of ["127.0.0.1", "127.8.9.10", "::1", "localhost", "::ffff:127.0.0.1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.2", "example.com", "10.0.0.1"]) expect(isLoopbackHost(host)).toBe(false);
  });

  it("lets an exposed address through only with TLS and a token", () => {
    const tls = { certPath: "c", keyPath: "k" };
    const listen = { host: "0.0.0.0", port: 1 };
    expect(() => checkExposure({ listen, tls, token: "t" })).not.toThrow();
    expect(() => checkExposure({ listen, tls })).toThrow(/needs a bearer token \(--token or LLM2CLIP_TOKEN\)$/);
    expect(() => checkExposure({ listen: { host: "127.0.0.1", port: 1 } })).not.toThrow();
  });
});
