// Keeps one daemon collection per workspace folder in step with the folder's images: a full sync when connected or
// asked to, then debounced syncs driven by a FileSystemWatcher.
import type { SyncSummary } from "@llm2clip/proto";
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import { KeyedDebouncer } from "../shared/debounce";
import { collectionName } from "./collection-name";
import { progressPercent, progressText, type IndexProgress } from "./index-progress";
import { altTextsByImage, FileHashes, syncAssets, type SyncFile } from "@llm2clip/client";
import { IMAGE_EXTENSIONS } from "./file-filter";
import { DOCUMENT_GLOB, findFolderFiles, findImages, imageFilter, relativeTo } from "./workspace-files";
import { disposeAll } from "../shared/dispose-all";

export type IndexPhase = "pending" | "indexing" | "indexed" | "failed" | "cancelled";

export interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  collection: string;
  phase: IndexPhase;
  /** Where the current run is; meaningful while the phase is "indexing". */
  progress: IndexProgress;
  /** Assets in the collection after the last sync. */
  assets: number;
  error?: string;
  lastSummary?: SyncSummary;
}

export interface AssetLocation {
  folder: vscode.WorkspaceFolder;
  collection: string;
  /** The image's path inside the collection. */
  path: string;
}

const WATCH_DEBOUNCE_MS = 1_500;

export class WorkspaceIndexer implements vscode.Disposable {
  private readonly indexes = new Map<string, FolderIndex>();
  private readonly hashes = new FileHashes();
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly debouncer = new KeyedDebouncer<string>(WATCH_DEBOUNCE_MS);
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly connection: DaemonConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/*.{${IMAGE_EXTENSIONS.join(",")}}`);
    const onFileEvent = (uri: vscode.Uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder || !this.enabled(folder) || !imageFilter(folder)(relativeTo(folder, uri))) return;
      this.debouncer.run(folder.uri.toString(), () => void this.syncFolder(folder, false));
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(onFileEvent),
      watcher.onDidChange(onFileEvent),
      watcher.onDidDelete(onFileEvent),
      this.debouncer,
      connection.onDidChangeState((state) => {
        if (state.kind === "connected") void this.indexAll(true);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.removed) this.indexes.delete(folder.uri.toString());
        for (const folder of event.added) if (this.enabled(folder)) void this.syncFolder(folder, true);
        this.changed.fire();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("llm2clip.indexing") || event.affectsConfiguration("files.exclude")) void this.indexAll(false);
      }),
    );
  }

  /** All folders' states, in workspace order. */
  get folders(): FolderIndex[] {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => this.indexFor(folder));
  }

  /** The collection and asset path that `uri` has, if it lies in a workspace folder. */
  locate(uri: vscode.Uri): AssetLocation | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    return { folder, collection: this.indexFor(folder).collection, path: relativeTo(folder, uri) };
  }

  /** Syncs every folder; `visible` shows a cancellable notification rather than a status-bar progress. */
  async indexAll(visible: boolean): Promise<void> {
    await Promise.all((vscode.workspace.workspaceFolders ?? []).filter((f) => this.enabled(f)).map((folder) => this.syncFolder(folder, visible)));
  }

  private enabled(folder: vscode.WorkspaceFolder): boolean {
    return vscode.workspace.getConfiguration("llm2clip.indexing", folder).get<boolean>("enabled", true);
  }

  private indexFor(folder: vscode.WorkspaceFolder): FolderIndex {
    const key = folder.uri.toString();
    let index = this.indexes.get(key);
    if (!index) {
      index = { folder, collection: collectionName(folder.name, key), phase: "pending", progress: { step: "finding", done: 0, total: 0 }, assets: 0 };
      this.indexes.set(key, index);
    }
    return index;
  }

  /** One sync at a time per folder; a request that arrives during a sync runs once more afterwards. */
  private syncFolder(folder: vscode.WorkspaceFolder, visible: boolean): Promise<void> {
    const key = folder.uri.toString();
    const running = this.running.get(key);
    if (running) {
      this.rerun.add(key);
      return running;
    }
    const run = this.runSync(folder, visible).finally(() => {
      this.running.delete(key);
      if (this.rerun.delete(key)) void this.syncFolder(folder, false);
    });
    this.running.set(key, run);
    return run;
  }

  private async runSync(folder: vscode.WorkspaceFolder, visible: boolean): Promise<void> {
    if (this.connection.state.kind !== "connected") return;
    const index = this.indexFor(folder);
    const started = Date.now();
    Object.assign(index, { phase: "indexing", progress: { step: "finding", done: 0, total: 0 }, error: undefined });
    this.changed.fire();
    const location = visible ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
    const title = `LLM2CLIP: indexing images in ${folder.name}`;
    try {
      await vscode.window.withProgress({ location, title, cancellable: visible }, async (progress, cancellation) => {
        const abort = new AbortController();
        cancellation.onCancellationRequested(() => abort.abort());
        let reportedPercent = 0;
        const report = (next: IndexProgress, currentPath?: string) => {
          index.progress = next;
          const percent = progressPercent(next);
          progress.report({ message: currentPath ? `${progressText(next)} ${currentPath}` : progressText(next), increment: percent - reportedPercent });
          reportedPercent = percent;
          this.changed.fire();
        };
        report({ step: "finding", done: 0, total: 0 });
        const images = await findImages(folder);
        report({ step: "reading", done: 0, total: images.length });
        const documents = await findFolderFiles(folder, DOCUMENT_GLOB, () => true);
        const altTexts = await altTextsByImage(folder.uri.fsPath, documents.map((uri) => relativeTo(folder, uri)));
        const files = await this.manifest(folder, images, altTexts, abort.signal, (done) => report({ step: "reading", done, total: images.length }));
        const summary = await syncAssets(this.connection.connectedClient(), this.connection.metadata(), {
          collection: index.collection,
          files,
          full: true,
          signal: abort.signal,
          onNeeded: (count) => report({ step: "embedding", done: 0, total: count }),
          onProgress: (p) => {
            if (p.error) this.log.warn(`${p.currentPath}: ${p.error.message}`);
            report({ step: "embedding", done: p.done, total: p.total }, p.currentPath);
          },
        });
        Object.assign(index, { phase: "indexed", assets: summary.totalAssets, lastSummary: summary });
        this.log.info(
          `indexed ${folder.name} as ${index.collection} in ${Date.now() - started} ms: ${summary.totalAssets} assets ` +
            `(+${summary.added} ~${summary.updated} =${summary.unchanged} -${summary.deleted}, ${summary.failed} failed, ${summary.embedded} embedded)`,
        );
      });
    } catch (error) {
      const cancelled = (error as { code?: number }).code === 1;
      Object.assign(index, { phase: cancelled ? "cancelled" : "failed", error: (error as Error).message });
      this.connection.noteFailure(error);
      if (cancelled) this.log.info(`indexing ${folder.name} cancelled`);
      else this.log.error(`indexing ${folder.name} failed: ${(error as Error).message}`);
    } finally {
      this.changed.fire();
    }
  }

  private async manifest(
    folder: vscode.WorkspaceFolder,
    images: vscode.Uri[],
    altTexts: Map<string, string[]>,
    signal: AbortSignal,
    onRead: (done: number) => void,
  ): Promise<SyncFile[]> {
    const files: SyncFile[] = [];
    for (const [done, uri] of images.entries()) {
      if (signal.aborted) break;
      onRead(done);
      const hashed = await this.hashes.hash(uri.fsPath).catch((error: Error) => {
        this.log.warn(`skipping ${uri.fsPath}: ${error.message}`);
        return undefined;
      });
      if (!hashed) continue;
      const path = relativeTo(folder, uri);
      files.push({
        entry: { path, sha256: hashed.sha256, size: hashed.size, mtimeMs: hashed.mtimeMs, altTexts: altTexts.get(path) ?? [] },
        read: async () => vscode.workspace.fs.readFile(uri),
      });
    }
    onRead(images.length);
    return files;
  }

  dispose(): void {
    for (const error of disposeAll(this.disposables)) console.error("LLM2CLIP: disposing:", error);
  }
}
