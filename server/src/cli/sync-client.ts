import type { ManifestEntry, SyncProgress, SyncSummary } from "@llm2clip/proto";
import { open } from "node:fs/promises";
import path from "node:path";
import type { Connection } from "./client";

const MANIFEST_BATCH = 1000;
const CHUNK_BYTES = 1 << 20;

export interface SyncRequest {
  collection: string;
  root: string;
  entries: ManifestEntry[];
  full: boolean;
  onNeeded?(count: number, bytes: number): void;
  onProgress?(progress: SyncProgress): void;
}

/** Runs one SyncAssets exchange: the manifest in batches, then the bytes of each hash the daemon asks for, in chunks. */
export function syncAssets(connection: Connection, request: SyncRequest): Promise<SyncSummary> {
  const call = connection.client.syncAssets(connection.metadata());
  const pathOf = new Map(request.entries.map((entry) => [entry.sha256, entry.path]));
  return new Promise<SyncSummary>((resolve, reject) => {
    let summary: SyncSummary | undefined;
    const write = (message: Parameters<typeof call.write>[0]) =>
      new Promise<void>((done) => (call.write(message) ? done() : call.once("drain", done)));
    const sendContents = async (hashes: string[]) => {
      for (const sha256 of hashes) {
        const file = await open(path.join(request.root, pathOf.get(sha256)!), "r");
        try {
          const buffer = Buffer.alloc(CHUNK_BYTES);
          for (;;) {
            const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES);
            const last = bytesRead < CHUNK_BYTES;
            await write({ chunk: { sha256, data: Buffer.from(buffer.subarray(0, bytesRead)), last } });
            if (last) break;
          }
        } finally {
          await file.close();
        }
      }
      call.end();
    };
    call.on("data", (response: { needed?: { sha256: string[]; bytesTotal: number }; progress?: SyncProgress; summary?: SyncSummary }) => {
      if (response.needed) {
        request.onNeeded?.(response.needed.sha256.length, response.needed.bytesTotal);
        sendContents(response.needed.sha256).catch((error: unknown) => {
          call.cancel();
          reject(error);
        });
      } else if (response.progress) {
        request.onProgress?.(response.progress);
      } else if (response.summary) {
        summary = response.summary;
      }
    });
    call.on("error", reject);
    call.on("end", () => (summary ? resolve(summary) : reject(new Error("the daemon ended SyncAssets without a summary"))));
    void (async () => {
      for (let start = 0; start === 0 || start < request.entries.length; start += MANIFEST_BATCH) {
        const entries = request.entries.slice(start, start + MANIFEST_BATCH);
        const more = start + MANIFEST_BATCH < request.entries.length;
        await write({ manifest: { collection: request.collection, full: request.full, entries, more } });
      }
    })();
  });
}
