// The three memory attacks, each against a fresh daemon with the default byte budgets, on loopback: how they
// end and how far the daemon's RSS rose (peak, sampled every 50 ms). `node test/load/run.mjs stream-memory [name part]`.
// Before the budgets (issue 14): +1.1 GB (SyncAssets partial files), +1.2 GB (manifest alt texts), +840 MB (200,000 ids).
import { readFileSync } from "node:fs";
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipClient, type SyncAssetsRequest } from "@llm2clip/proto";
import path from "node:path";
import { REPO_ROOT, startDaemon, type RunningDaemon } from "../support/daemon";

const MIB = 1024 * 1024;
const hash = (i: number) => i.toString(16).padStart(64, "0");

function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

/** Runs `attack` against a fresh daemon; returns how it ended and the RSS rise at its peak. */
async function measure(name: string, attack: (daemon: RunningDaemon) => Promise<string>): Promise<string> {
  // The attacks never reach the model: the smallest one keeps the start quick.
  const daemon = await startDaemon(["--model", path.join(REPO_ROOT, "models/testing/random-tiny")]);
  const pid = daemon.process.pid!;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const start = rssMiB(pid);
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  try {
    const outcome = await attack(daemon);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    peak = Math.max(peak, rssMiB(pid));
    return `| ${name} | ${outcome} | ${start.toFixed(0)} | +${(peak - start).toFixed(0)} |`;
  } finally {
    clearInterval(sampler);
    await daemon.stop();
  }
}

/**
 * Writes on a SyncAssets stream until it fails; resolves with the status, or "held" if it never fails. `write` waits
 * for the stream to drain and returns false once the stream has failed.
 */
function syncAttack(daemon: RunningDaemon, first: SyncAssetsRequest[], onNeeded?: (needed: string[], write: (m: SyncAssetsRequest) => Promise<boolean>) => Promise<void>): Promise<string> {
  const call = daemon.client().syncAssets(daemon.metadata());
  return new Promise((resolve) => {
    let failed = false;
    const write = async (message: SyncAssetsRequest) => {
      if (failed) return false;
      if (!call.write(message)) {
        await new Promise((drained) => {
          call.once("drain", drained);
          call.once("error", drained);
        });
      }
      return !failed;
    };
    call.on("data", (response) => {
      if (response.needed && onNeeded) void onNeeded(response.needed.sha256, write).then(() => !failed && resolve("held (all sent)"));
    });
    call.on("error", (error: ServiceError) => {
      failed = true;
      resolve(`${status[error.code]}: ${error.details.slice(0, 90)}`);
    });
    for (const message of first) call.write(message);
  });
}

type Attack = (daemon: RunningDaemon) => Promise<string>;

function openIdsAttack(count: number): Attack {
  return async (daemon) => {
    // grpc-js keeps a stream's sent messages for retries and walks them on every write, which made this client take
    // minutes past 50,000 messages; an attacker's client would not retry.
    const client = new Llm2ClipClient(daemon.address, credentials.createInsecure(), { "grpc.enable_retries": 0 });
    const call = client.embedImages(daemon.metadata());
    let failed = false;
    const ended = new Promise<string>((resolve) => {
      call.on("error", (error: ServiceError) => {
        failed = true;
        resolve(`${status[error.code]}: ${error.details.slice(0, 90)}`);
      });
      call.on("data", () => undefined);
    });
    for (let i = 0; i < count && !failed; i++) {
      if (!call.write({ id: `image-${i}`, chunk: Buffer.alloc(0), last: false })) await Promise.race([ended, new Promise((resolve) => call.once("drain", resolve))]);
    }
    const outcome = await Promise.race([ended, new Promise<string>((resolve) => setTimeout(() => resolve(`held (all ${count.toLocaleString("en")} open)`), 3_000))]);
    call.cancel();
    client.close();
    return outcome;
  };
}

const ATTACKS: Record<string, Attack> = {
  "SyncAssets: 40 x 30 MB declared, 28 MB of each sent without last": (daemon) => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ path: `f${i}.png`, sha256: hash(i + 1), size: 30_000_000, mtimeMs: 1, altTexts: [] }));
    return syncAttack(daemon, [{ manifest: { collection: "partial", full: false, more: false, entries } }], async (needed, write) => {
      const piece = Buffer.alloc(MIB, 7);
      for (let round = 0; round < 28; round++) {
        for (const sha256 of needed) if (!(await write({ chunk: { sha256, data: piece, last: false } }))) return;
      }
    });
  },
  "SyncAssets: 40 manifests with more, 400 entries x 32 alt texts of 2,000 characters each": (daemon) => {
    const altTexts = Array.from({ length: 32 }, (_, i) => `${i} `.padEnd(2000, "x"));
    const messages = Array.from({ length: 40 }, (_, m): SyncAssetsRequest => ({
      manifest: { collection: "alt", full: false, more: true, entries: Array.from({ length: 400 }, (_, i) => ({ path: `m${m}-${i}.png`, sha256: hash(1000 + m * 400 + i), size: 10, mtimeMs: 1, altTexts })) },
    }));
    return syncAttack(daemon, messages);
  },
  "EmbedImages: 200,000 ids, empty chunks, no last": openIdsAttack(200_000),
  // Past the stream's budget, where the daemon's RSS should stay near the budget.
  "EmbedImages: 400,000 ids, empty chunks, no last": openIdsAttack(400_000),
};

/** `run.mjs stream-memory [text]` runs the attacks whose name holds `text`, or all of them. */
async function main() {
  const only = process.argv[2] ?? "";
  console.log(["| attack | how it ended | RSS at start, MiB | RSS rise at peak, MiB |", "| --- | --- | ---: | ---: |"].join("\n"));
  for (const [name, attack] of Object.entries(ATTACKS)) if (name.includes(only)) console.log(await measure(name, attack));
}

void main();
