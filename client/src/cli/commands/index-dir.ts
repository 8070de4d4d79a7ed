import type { SyncSummary } from "@llm2clip/proto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Connection } from "../../connection";
import { altTextsByImage } from "../../documents/alt-texts";
import { isImageFile, sha256File, walkFiles } from "../../files";
import { EXIT_ERROR, EXIT_OK, UsageError, formatBytes, printJson, type Io } from "../io";
import { ProgressBar } from "../progress-bar";
import { syncAssets, type SyncFile } from "../../sync";

export interface IndexOptions {
  collection?: string;
  /** Keep indexed paths that are no longer in the folder (a partial sync). */
  keepMissing: boolean;
}

/**
 * `index <dir> --collection <name>`: hashes the folder's images, records the alt text its Markdown/HTML/JSX/Vue documents
 * give them, and syncs the collection to it (a full sync: images gone from the folder leave the collection).
 */
export async function indexCommand(connection: Connection, io: Io, args: string[], options: IndexOptions, json: boolean): Promise<number> {
  if (args.length !== 1) throw new UsageError("index needs exactly one folder");
  if (!options.collection) throw new UsageError("index needs --collection <name>");
  const root = path.resolve(io.cwd, args[0]!);
  const started = Date.now();
  const files = await walkFiles(root);
  const altTexts = await altTextsByImage(root, files);
  const images: SyncFile[] = [];
  for (const file of files.filter(isImageFile)) {
    const absolute = path.join(root, file);
    const [info, sha256] = await Promise.all([stat(absolute), sha256File(absolute)]);
    const entry = { path: file, sha256, size: info.size, mtimeMs: Math.round(info.mtimeMs), altTexts: altTexts.get(file) ?? [] };
    images.push({ entry, read: () => readFile(absolute) });
  }

  const bar = io.stderr.isTTY && !json ? new ProgressBar(io.stderr) : undefined;
  const failures: { path: string; message: string }[] = [];
  let summary: SyncSummary;
  try {
    summary = await syncAssets(connection.client, connection.metadata(), {
      collection: options.collection,
      files: images,
      full: !options.keepMissing,
      onProgress: (progress) => {
        if (progress.error) {
          failures.push({ path: progress.currentPath, message: progress.error.message });
          bar?.finish();
          if (!json) io.stderr.write(`${progress.currentPath}: ${progress.error.message}\n`);
        }
        bar?.update(progress, progress.done === progress.total);
      },
    });
  } finally {
    bar?.finish();
  }
  const seconds = (Date.now() - started) / 1000;
  if (json) {
    printJson(io, { collection: options.collection, images: images.length, seconds, summary, failures });
  } else {
    io.stdout.write(
      `indexed ${images.length} images into '${options.collection}' in ${seconds.toFixed(1)} s: ` +
        `${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.deleted} deleted, ` +
        `${summary.failed} failed; ${summary.embedded} embedded, ${formatBytes(summary.bytesReceived)} sent, ${summary.totalAssets} in the collection\n`,
    );
  }
  return summary.failed > 0 ? EXIT_ERROR : EXIT_OK;
}
