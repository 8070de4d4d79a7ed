// Keeps one daemon collection per workspace folder in step with the folder's images: a full sync when connected or
// asked to, then debounced syncs driven by a FileSystemWatcher.
import type { SyncSummary } from "@llm2clip/proto";
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import { KeyedDebouncer } from "../shared/debounce";
import { collectionName } from "./collection-name";
import { altTextsByImage, sha256File, syncAssets, type SyncFile } from "@llm2clip/client";
import { IMAGE_EXTENSIONS } from "./file-filter";
import { DOCUMENT_GLOB, findFolderFiles, findImages, imageFilter, relativeTo } from "./workspace-files";

export type IndexPhase = "pending" | "indexing" | "indexed" | "failed" | "cancelled";

export interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  collection: string;
  phase: IndexPhase;
  done: number;
  total: number;
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

interface HashedFile {
  size: number;
  mtime: number;
  sha256: string;
}

const WATCH_DEBOUNCE_MS = 1_500;

export class WorkspaceIndexer implements vscode.Disposable {
  private readonly indexes = new Map<string, FolderIndex>();
  private readonly hashes = new Map<string, HashedFile>();
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
      index = { folder, collection: collectionName(folder.name, key), phase: "pending", done: 0, total: 0, assets: 0 };
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
    Object.assign(index, { phase: "indexing", done: 0, total: 0, error: undefined });
    this.changed.fire();
    const location = visible ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
    const title = `LLM2CLIP: indexing images in ${folder.name}`;
    try {
      await vscode.window.withProgress({ location, title, cancellable: visible }, async (progress, cancellation) => {
        const abort = new AbortController();
        cancellation.onCancellationRequested(() => abort.abort());
        const images = await findImages(folder);
        index.total = images.length;
        progress.report({ message: `reading ${images.length} images` });
        const documents = await findFolderFiles(folder, DOCUMENT_GLOB, () => true);
        const altTexts = await altTextsByImage(folder.uri.fsPath, documents.map((uri) => relativeTo(folder, uri)));
        const files = await this.manifest(folder, images, altTexts, abort.signal);
        let reported = 0;
        const summary = await syncAssets(this.connection.connectedClient(), this.connection.metadata(), {
          collection: index.collection,
          files,
          full: true,
          signal: abort.signal,
          onNeeded: (count) => progress.report({ message: `${count} new of ${files.length}` }),
          onProgress: (p) => {
            index.done = p.done;
            index.total = p.total;
            if (p.error) this.log.warn(`${p.currentPath}: ${p.error.message}`);
            const percent = p.total ? (100 * p.done) / p.total : 100;
            progress.report({ message: `${p.done}/${p.total} ${p.currentPath}`, increment: percent - reported });
            reported = percent;
            this.changed.fire();
          },
        });
        Object.assign(index, { phase: "indexed", assets: summary.totalAssets, done: summary.totalAssets, total: summary.totalAssets, lastSummary: summary });
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

  private async manifest(folder: vscode.WorkspaceFolder, images: vscode.Uri[], altTexts: Map<string, string[]>, signal: AbortSignal): Promise<SyncFile[]> {
    const files: SyncFile[] = [];
    for (const uri of images) {
      if (signal.aborted) break;
      const hashed = await this.hash(uri).catch((error: Error) => {
        this.log.warn(`skipping ${uri.fsPath}: ${error.message}`);
        return undefined;
      });
      if (!hashed) continue;
      const path = relativeTo(folder, uri);
      files.push({
        entry: { path, sha256: hashed.sha256, size: hashed.size, mtimeMs: hashed.mtime, altTexts: altTexts.get(path) ?? [] },
        read: async () => vscode.workspace.fs.readFile(uri),
      });
    }
    return files;
  }

  /** SHA-256 of the file, recomputed only when its size or mtime changed. */
  private async hash(uri: vscode.Uri): Promise<HashedFile> {
    const stat = await vscode.workspace.fs.stat(uri);
    const key = uri.toString();
    const known = this.hashes.get(key);
    if (known && known.size === stat.size && known.mtime === stat.mtime) return known;
    const hashed = { size: stat.size, mtime: stat.mtime, sha256: await sha256File(uri.fsPath) };
    this.hashes.set(key, hashed);
    return hashed;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
