// The daemon under load and hostile clients, on loopback only, bounded in time: a closed loop of concurrent clients,
// then one of each fault the hardening answers, then the same load again. It reports what was held, the errors by
// code, p50/p99 and the daemon's RSS before and after. `node test/load/run.mjs [--seconds 20] [--clients 64] [--record]`;
// --record writes test/load/results.md.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import type { Llm2ClipClient, SyncAssetsResponse } from "@llm2clip/proto";
import { percentile } from "../bench/measure";
import { caption, renderImages } from "../bench/workload";
import { DEFAULT_MODEL_DIR, daemonBundle, REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages } from "../support/grpc-clients";
import { runSync } from "../support/sync-stream";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "20" }, clients: { type: "string", default: "64" }, record: { type: "boolean", default: false } },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);

interface Round {
  name: string;
  calls: number;
  byCode: Map<string, number>;
  p50: number;
  p99: number;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

const codeName = (code: number) => status[code] ?? String(code);

/** CLIENTS workers, each calling as soon as its last call answered, for SECONDS: a mix of the read RPCs. */
async function load(name: string, client: Llm2ClipClient, png: Buffer): Promise<Round> {
  const latencies: number[] = [];
  const byCode = new Map<string, number>();
  const until = performance.now() + SECONDS * 1000;
  let n = 0;
  const call = (i: number): Promise<unknown> => {
    switch (i % 4) {
      case 0: return unary((done) => client.embedTexts({ texts: [caption(i % 500)], includeFeatures: false }, done));
      case 1: return unary((done) => client.scoreCaptions({ image: { data: png }, captions: [caption(i % 50), caption(i % 50 + 1)] }, done));
      case 2: return unary((done) => client.searchAssets({ collection: "load", terms: [{ weight: 1, text: caption(i % 500) }], expression: "", topK: 10, includeGlobs: [], excludeGlobs: [] }, done));
      default: return unary((done) => client.embedTexts({ texts: [`${name} fresh caption ${i}`], includeFeatures: false }, done));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < until) {
      const i = n++;
      const started = performance.now();
      let code = "OK";
      try {
        await call(i);
      } catch (error) {
        code = codeName((error as ServiceError).code);
      }
      latencies.push(performance.now() - started);
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { name, calls: latencies.length, byCode, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

interface Fault {
  fault: string;
  expected: string;
  got: string;
}

async function faults(daemon: RunningDaemon, client: Llm2ClipClient): Promise<Fault[]> {
  const out: Fault[] = [];
  const record = (fault: string, expected: string, got: string) => {
    process.stderr.write(`load: ${fault}: ${got}\n`);
    out.push({ fault, expected, got });
  };
  const errorOf = (promise: Promise<unknown>) => promise.then(() => "OK", (error: ServiceError) => codeName(error.code));
  const hash = (i: number) => i.toString(16).padStart(64, "0");

  // 40 files declared at 30 MB, 1 MB of each sent without `last`.
  const partial = new Promise<string>((resolve) => {
    const call = client.syncAssets();
    call.on("data", (response: SyncAssetsResponse) => {
      for (const sha256 of response.needed?.sha256 ?? []) {
        for (let k = 0; k < 2; k++) call.write({ chunk: { sha256, data: Buffer.alloc(512 * 1024, 1), last: false } });
      }
    });
    call.on("error", (error: ServiceError) => resolve(codeName(error.code)));
    call.on("end", () => resolve("OK"));
    const entries = Array.from({ length: 40 }, (_, i) => ({ path: `f${i}.png`, sha256: hash(i + 1), size: 30_000_000, mtimeMs: 1, altTexts: [] }));
    call.write({ manifest: { collection: "hostile", full: false, more: false, entries } });
  });
  record("SyncAssets: 40 x 30 MB declared, 1 MB of each sent without last (40 MB held)", "RESOURCE_EXHAUSTED at --max-stream-buffer-bytes", await partial);

  const ids = Array.from({ length: 30_000 }, (_, i) => ({ id: `id-${i}`, chunk: Buffer.alloc(0), last: false }));
  record("EmbedImages: 30,000 ids, empty chunks, no last", "RESOURCE_EXHAUSTED (ids count)", await errorOf(embedImages(client, ids)));

  const stalled = await new Promise<string>((resolve) => {
    const call = client.syncAssets();
    call.on("data", () => undefined);
    call.on("error", (error: ServiceError) => resolve(codeName(error.code)));
    call.write({ manifest: { collection: "stalled", full: false, more: false, entries: [{ path: "a.png", sha256: hash(999), size: 10, mtimeMs: 1, altTexts: [] }] } });
  });
  const deleted = await errorOf(unary((done) => client.deleteCollection({ name: "stalled" }, new Metadata(), { deadline: Date.now() + 5000 }, done)));
  record("SyncAssets stalled after its manifest, then DeleteCollection", "DEADLINE_EXCEEDED, then the delete answers", `${stalled}, then ${deleted}`);

  const sockets = Array.from({ length: 2_000 }, () => net.connect(daemon.port, "127.0.0.1").on("error", () => undefined));
  const closedWithin = await Promise.all(sockets.map((s) => new Promise<number>((resolve) => s.on("close", () => resolve(1)))));
  const health = await errorOf(unary((done) => client.getModelInfo({}, done)));
  record("2,000 raw sockets without the HTTP/2 preface", "all closed; next call OK", `${closedWithin.length} closed; next call ${health}`);

  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(header);
  header.writeUInt32BE(1, 16);
  header.writeUInt32BE(49_000_000, 20);
  header[24] = 8;
  header[25] = 2;
  record("ScoreCaptions with a 1 x 49,000,000 PNG", "INVALID_ARGUMENT", await errorOf(unary((done) => client.scoreCaptions({ image: { data: header }, captions: ["x"] }, done))));

  const second = spawnSync(process.execPath, [daemonBundle(), "--data-dir", daemon.dataDir, "--listen", "127.0.0.1:0"], { encoding: "utf8", timeout: 120_000 });
  record("a second daemon on the same --data-dir", "exits 1 naming the owner", `exit ${second.status}: ${second.stderr.trim().split("\n")[0]!.replace(daemon.dataDir, "<data-dir>")}`);
  return out;
}

function table(rounds: Round[], rss: number[], faultRows: Fault[]): string {
  const codes = [...new Set(rounds.flatMap((r) => [...r.byCode.keys()]))].sort();
  const lines = [
    `Load: ${CLIENTS} clients in a closed loop for ${SECONDS} s per round (EmbedTexts cached and new, ScoreCaptions, SearchAssets over 50 assets),`,
    `default tiny model on the CPU, ${os.cpus().length} cores; RSS of the daemon process. The daemon runs with`,
    "--max-stream-buffer-bytes 2 MiB and --stream-idle-timeout-ms 5000 so that the faults meet their limits quickly.",
    "",
    `| round | calls | ${codes.join(" | ")} | p50 ms | p99 ms | RSS after, MiB |`,
    `| --- | ---: | ${codes.map(() => "---:").join(" | ")} | ---: | ---: | ---: |`,
    `| (start) | | ${codes.map(() => "").join(" | ")} | | | ${rss[0]!.toFixed(0)} |`,
    ...rounds.map((r, i) => `| ${r.name} | ${r.calls} | ${codes.map((c) => r.byCode.get(c) ?? 0).join(" | ")} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${rss[i + 1]!.toFixed(0)} |`),
    "",
    "| fault | expected | got |",
    "| --- | --- | --- |",
    ...faultRows.map((f) => `| ${f.fault} | ${f.expected} | ${f.got} |`),
  ];
  return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-load-"));
  const imagesDir = mkdtempSync(path.join(os.tmpdir(), "llm2clipd-load-images-"));
  const daemon = await startDaemon(["--model", DEFAULT_MODEL_DIR, "--device", "cpu", "--data-dir", dataDir, "--max-stream-buffer-bytes", String(2 << 20), "--stream-idle-timeout-ms", "5000"]);
  try {
    const client = daemon.client();
    const step = (what: string) => process.stderr.write(`load: ${what}\n`);
    step("daemon up; rendering and syncing 50 images");
    const images = await renderImages(imagesDir, 50);
    await runSync(client, daemon.metadata(), { collection: "load", images: images.map((image) => ({ path: path.basename(image.path), bytes: image.bytes })) });
    const rss = [rssMiB(daemon.process.pid!)];
    const rounds: Round[] = [];
    step("load 1");
    rounds.push(await load("load 1", client, images[0]!.bytes));
    step("faults");
    rss.push(rssMiB(daemon.process.pid!));
    const faultRows = await faults(daemon, client);
    step("load 2");
    rounds.push(await load("load 2, after the faults", client, images[0]!.bytes));
    rss.push(rssMiB(daemon.process.pid!));
    const text = table(rounds, rss, faultRows);
    process.stdout.write(text);
    if (values.record) writeFileSync(path.join(REPO_ROOT, "test/load/results.md"), `# llm2clipd under load and faults\n\n${text}`);
    client.close();
  } finally {
    await daemon.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(imagesDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
