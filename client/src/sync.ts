// The client side of SyncAssets, shared by the CLI's `index` and the editor extension: send the manifest, stream the
// contents the daemon lacks, collect progress and the summary. Free of vscode, so it runs against a real daemon in tests.
import type { Metadata } from "@grpc/grpc-js";
import type { Llm2ClipClient, ManifestEntry, SyncAssetsRequest, SyncAssetsResponse, SyncProgress, SyncSummary } from "@llm2clip/proto";

export interface SyncFile {
  entry: ManifestEntry;
  read(): Promise<Uint8Array>;
}

export interface SyncRequest {
  collection: string;
  files: readonly SyncFile[];
  /** Delete the collection's paths that `files` does not list. */
  full: boolean;
  onNeeded?(count: number, bytes: number): void;
  onProgress?(progress: SyncProgress): void;
  signal?: AbortSignal;
}

const MANIFEST_BATCH = 500;
const CHUNK_BYTES = 512 * 1024;

export function syncAssets(client: Llm2ClipClient, metadata: Metadata, request: SyncRequest): Promise<SyncSummary> {
  return new Promise<SyncSummary>((resolve, reject) => {
    const call = client.syncAssets(metadata);
    const byHash = new Map(request.files.map((file) => [file.entry.sha256, file]));
    let summary: SyncSummary | undefined;
    let failure: unknown;

    const write = (message: SyncAssetsRequest) =>
      new Promise<void>((done) => {
        if (call.write(message)) done();
        else call.once("drain", done);
      });

    const sendContents = async (hashes: readonly string[]) => {
      for (const sha256 of hashes) {
        if (request.signal?.aborted) return;
        const file = byHash.get(sha256);
        if (!file) throw new Error(`the daemon asked for ${sha256}, which the manifest did not list`);
        const bytes = await file.read();
        for (let offset = 0; offset < bytes.length || offset === 0; offset += CHUNK_BYTES) {
          const end = Math.min(bytes.length, offset + CHUNK_BYTES);
          await write({ chunk: { sha256, data: Buffer.from(bytes.subarray(offset, end)), last: end === bytes.length } });
          if (end === bytes.length) break;
        }
      }
      call.end();
    };

    const abort = () => call.cancel();
    request.signal?.addEventListener("abort", abort, { once: true });
    if (request.signal?.aborted) abort();

    call.on("data", (message: SyncAssetsResponse) => {
      if (message.needed) {
        request.onNeeded?.(message.needed.sha256.length, message.needed.bytesTotal);
        sendContents(message.needed.sha256).catch((error: unknown) => {
          failure = error;
          call.cancel();
        });
      } else if (message.progress) {
        request.onProgress?.(message.progress);
      } else if (message.summary) {
        summary = message.summary;
      }
    });
    call.on("error", (error) => {
      request.signal?.removeEventListener("abort", abort);
      reject(failure ?? error);
    });
    call.on("end", () => {
      request.signal?.removeEventListener("abort", abort);
      if (summary) resolve(summary);
      else reject(failure ?? new Error("SyncAssets ended without a summary"));
    });

    void (async () => {
      const entries = request.files.map((file) => file.entry);
      for (let start = 0; start === 0 || start < entries.length; start += MANIFEST_BATCH) {
        const batch = entries.slice(start, start + MANIFEST_BATCH);
        const more = start + MANIFEST_BATCH < entries.length;
        await write({ manifest: { collection: request.collection, full: request.full, entries: batch, more } });
        if (!more) break;
      }
    })();
  });
}
