// One daemon per --data-dir: a second one on the same folder refuses to start, naming the owner, and the lock of a
// daemon killed with SIGKILL does not outlive it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runDaemon, startDaemon } from "../support/daemon";

const MODEL = path.join(REPO_ROOT, "models/testing/random-tiny");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-owner-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("llm2clipd's --data-dir has one owner", () => {
  it("refuses a second daemon on the same folder, and takes over after the owner is killed with SIGKILL", async () => {
    const first = await startDaemon(["--model", MODEL, "--data-dir", dataDir]);
    try {
      const second = await runDaemon(["--model", MODEL, "--data-dir", dataDir, "--listen", "127.0.0.1:0"]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`--data-dir ${dataDir} is in use by another llm2clipd (pid ${first.process.pid})`);
      expect(second.stdout).not.toMatch(/listening on/);
    } finally {
      first.process.kill("SIGKILL");
      await first.exited;
    }
    const third = await startDaemon(["--model", MODEL, "--data-dir", dataDir]);
    expect((await third.stop()).code).toBe(0);
  });
});
