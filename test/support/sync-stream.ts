// Drives SyncAssets by hand, message by message, so that tests can send what a well-behaved client never would
// (wrong bytes, escaping paths) and stop a sync part-way.
import { createHash } from "node:crypto";
import type { Metadata, ServiceError } from "@grpc/grpc-js";
import type { Llm2ClipClient, ManifestEntry, NeededHashes, SyncAssetsRequest, SyncAssetsResponse, SyncProgress, SyncSummary } from "@llm2clip/proto";

export interface WorkspaceImage {
  path: string;
  bytes: Buffer;
  altTexts?: string[];
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function manifestEntry(image: WorkspaceImage, mtimeMs = 1_700_000_000_000): ManifestEntry {
  return { path: image.path, sha256: sha256(image.bytes), size: image.bytes.length, mtimeMs, altTexts: image.altTexts ?? [] };
}

export interface SyncOptions {
  collection: string;
  images: WorkspaceImage[];
  full?: boolean;
  /** Entries as sent; defaults to manifestEntry() of each image. */
  entries?: ManifestEntry[];
  /** Bytes to send for a hash instead of the image's own. */
  bytesFor?: (sha256: string) => Buffer | undefined;
  /** Manifest entries per message; several messages are chained with `more`. */
  manifestBatch?: number;
  chunkBytes?: number;
  /** Called on each progress event; return true to stop the sync there (the call is cancelled). */
  onProgress?: (progress: SyncProgress) => boolean | void;
}

export interface SyncResult {
  needed?: NeededHashes;
  progress: SyncProgress[];
  summary?: SyncSummary;
  error?: ServiceError;
  /** Hashes whose every path was acknowledged with a progress event without error. */
  acknowledged: Set<string>;
}

export function runSync(client: Llm2ClipClient, metadata: Metadata, options: SyncOptions): Promise<SyncResult> {
  const entries = options.entries ?? options.images.map((image) => manifestEntry(image));
  const bytesBySha = new Map(options.images.map((image) => [sha256(image.bytes), image.bytes]));
  const call = client.syncAssets(metadata);
  const result: SyncResult = { progress: [], acknowledged: new Set() };
  const acknowledgedPaths = new Set<string>();
  const send = (message: SyncAssetsRequest) => call.write(message);
  return new Promise((resolve) => {
    let stopped = false;
    call.on("data", (response: SyncAssetsResponse) => {
      if (stopped) return;
      if (response.needed) {
        result.needed = response.needed;
        const chunk = options.chunkBytes ?? 4096;
        for (const sha of response.needed.sha256) {
          const bytes = options.bytesFor?.(sha) ?? bytesBySha.get(sha) ?? Buffer.alloc(0);
          for (let start = 0; start === 0 || start < bytes.length; start += chunk) {
            send({ chunk: { sha256: sha, data: bytes.subarray(start, start + chunk), last: start + chunk >= bytes.length } });
          }
        }
        call.end();
      } else if (response.progress) {
        result.progress.push(response.progress);
        if (!response.progress.error && response.progress.currentPath) acknowledgedPaths.add(response.progress.currentPath);
        if (options.onProgress?.(response.progress)) {
          stopped = true;
          call.cancel();
          finish();
        }
      } else if (response.summary) {
        result.summary = response.summary;
      }
    });
    const finish = () => {
      const pathsBySha = new Map<string, string[]>();
      for (const entry of entries) pathsBySha.set(entry.sha256, [...(pathsBySha.get(entry.sha256) ?? []), entry.path]);
      for (const [sha, paths] of pathsBySha) if (paths.every((p) => acknowledgedPaths.has(p))) result.acknowledged.add(sha);
      resolve(result);
    };
    call.on("error", (error: ServiceError) => {
      if (stopped) return;
      result.error = error;
      stopped = true;
      finish();
    });
    call.on("end", () => {
      if (!stopped) finish();
    });
    const batch = options.manifestBatch ?? Math.max(1, entries.length);
    for (let start = 0; start === 0 || start < entries.length; start += batch) {
      send({
        manifest: { collection: options.collection, full: options.full ?? false, entries: entries.slice(start, start + batch), more: start + batch < entries.length },
      });
    }
  });
}
