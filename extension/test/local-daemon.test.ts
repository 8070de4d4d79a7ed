// The daemon lifecycle with real processes: a spawned Node child stands in for llm2clipd (the model-loading daemon is
// not needed to test how the extension starts and stops its process).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDaemon } from "../src/connection/local-daemon";
import { disposeAll } from "../src/shared/dispose-all";

const started: number[] = [];
let logged: string[] = [];
const recordingLog = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(line) };
afterEach(() => {
  for (const pid of started.splice(0)) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  logged = [];
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function nodeScript(source: string) {
  return { command: process.execPath, args: ["-e", source], source: "setting" as const };
}

async function startDaemon(source: string) {
  const daemon = new LocalDaemon(recordingLog);
  const exits: string[] = [];
  daemon.start(nodeScript(source), [], (reason) => exits.push(reason));
  const pid = daemon.pid;
  if (pid === undefined) throw new Error("the daemon did not start");
  started.push(pid);
  // Wait for the child to print, so that it has installed its handlers before it is stopped.
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (logged.some((line) => line.startsWith("[llm2clipd]"))) {
        clearInterval(wait);
        resolve();
      }
    }, 20);
  });
  return { daemon, pid, exits };
}

describe("LocalDaemon", () => {
  it("stops its process with SIGTERM, hands it the extension host's pid to watch, and reports nothing after stop", async () => {
    const { daemon, pid, exits } = await startDaemon("console.log('parent ' + process.env.LLM2CLIP_PARENT_PID); setInterval(() => {}, 1000)");
    expect(logged).toContain(`[llm2clipd] parent ${process.pid}`);
    expect(daemon.running).toBe(true);
    await daemon.stop();
    expect(isRunning(pid)).toBe(false);
    expect(daemon.running).toBe(false);
    expect(exits).toEqual([]);
    expect(logged.some((line) => line.includes("killed"))).toBe(false);
  });

  it("kills a daemon that ignores SIGTERM once the grace period is over", async () => {
    const { daemon, pid } = await startDaemon("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)");
    const stopping = Date.now();
    await daemon.stop(300);
    expect(isRunning(pid)).toBe(false);
    expect(Date.now() - stopping).toBeGreaterThanOrEqual(290);
  });

  it("reports an exit it did not ask for", async () => {
    const { daemon, exits } = await startDaemon("console.log('up'); setTimeout(() => process.exit(3), 50)");
    await expect.poll(() => exits).toEqual(["exited with code 3"]);
    expect(daemon.running).toBe(false);
  });

  it("leaves a process it did not start alone", async () => {
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    started.push(other.pid!);
    await new LocalDaemon(recordingLog).stop(100);
    expect(isRunning(other.pid!)).toBe(true);
    other.kill("SIGKILL");
    await once(other, "exit");
  });
});

describe("disposeAll", () => {
  it("disposes the rest when one throws, so the daemon is still stopped", async () => {
    const { daemon, pid } = await startDaemon("console.log('up'); setInterval(() => {}, 1000)");
    let stopped: Promise<void> | undefined;
    const closedChannel = { dispose: () => { throw new Error("Channel has been closed"); } };
    const errors = disposeAll([closedChannel, { dispose: () => (stopped = daemon.stop()) }]);
    expect(errors.map((error) => (error as Error).message)).toEqual(["Channel has been closed"]);
    await stopped;
    expect(isRunning(pid)).toBe(false);
  });
});
