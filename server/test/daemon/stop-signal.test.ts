import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { stopSignal } from "../../src/daemon/stop-signal";

describe("stopSignal", () => {
  it("stops a daemon whose parent process has exited", async () => {
    const parent = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const reason = stopSignal(parent.pid);
    let settled = false;
    void reason.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(settled).toBe(false);
    parent.kill("SIGKILL");
    await once(parent, "exit");
    await expect(reason).resolves.toBe("parent exited");
  });

  it("stops on SIGTERM", async () => {
    const reason = stopSignal(undefined);
    process.emit("SIGTERM", "SIGTERM");
    await expect(reason).resolves.toBe("SIGTERM");
  });
});
