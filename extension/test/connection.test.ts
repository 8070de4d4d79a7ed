import { describe, expect, it } from "vitest";
import { parseServerAddress } from "../src/connection/address";
import { backoffDelay } from "../src/connection/backoff";
import { daemonArguments, resolveDaemonCommand } from "../src/connection/daemon-command";

describe("backoffDelay", () => {
  it("doubles from 0.5 s up to 30 s, with jitter in the upper half of the window", () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 1))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 0))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(20, 1)).toBe(30_000);
    expect(backoffDelay(20, 0)).toBe(15_000);
  });
});

describe("parseServerAddress", () => {
  it("accepts host:port, [v6]:port and a bare port, and knows loopback", () => {
    expect(parseServerAddress("127.0.0.1:50051")).toEqual({ host: "127.0.0.1", port: 50051, target: "127.0.0.1:50051", loopback: true });
    expect(parseServerAddress("[::1]:7000")).toMatchObject({ target: "[::1]:7000", loopback: true });
    expect(parseServerAddress("gpu-box.local:443")).toMatchObject({ host: "gpu-box.local", loopback: false });
    expect(parseServerAddress("9000").target).toBe("127.0.0.1:9000");
  });

  it("rejects other forms with the expected one in the message", () => {
    expect(() => parseServerAddress("localhost")).toThrow(/expected host:port, e\.g\. 127\.0\.0\.1:50051/);
    expect(() => parseServerAddress("host:70000")).toThrow(/llm2clip\.server is "host:70000"/);
  });
});

describe("resolveDaemonCommand", () => {
  const base = { extensionPath: "/repo/extension", nodePath: "/usr/bin/node" };

  it("prefers the setting, running a .js file with the extension host's node", () => {
    expect(resolveDaemonCommand({ ...base, setting: "/opt/llm2clipd.js", exists: () => true })).toEqual({
      command: "/usr/bin/node",
      args: ["/opt/llm2clipd.js"],
      source: "setting",
    });
    expect(resolveDaemonCommand({ ...base, setting: "/usr/local/bin/llm2clipd", exists: () => true })).toEqual({
      command: "/usr/local/bin/llm2clipd",
      args: [],
      source: "setting",
    });
  });

  it("falls back to the repository's bundle, then to llm2clipd on PATH", () => {
    const inRepo = resolveDaemonCommand({ ...base, setting: "", exists: (file) => file === "/repo/server/dist/llm2clipd.js" });
    expect(inRepo).toEqual({ command: "/usr/bin/node", args: ["/repo/server/dist/llm2clipd.js"], source: "repository" });
    expect(resolveDaemonCommand({ ...base, setting: " ", exists: () => false })).toEqual({ command: "llm2clipd", args: [], source: "PATH" });
  });

  it("passes the address, the model when set, and the extra arguments", () => {
    expect(daemonArguments("127.0.0.1:50051", "", [])).toEqual(["--listen", "127.0.0.1:50051"]);
    expect(daemonArguments("127.0.0.1:1", " /m ", ["--device", "cpu"])).toEqual(["--listen", "127.0.0.1:1", "--model", "/m", "--device", "cpu"]);
  });
});
