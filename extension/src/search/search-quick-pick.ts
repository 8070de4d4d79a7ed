// "LLM2CLIP: Search Images" and "Find Similar Images": a QuickPick that searches as you type. Enter opens the image;
// the item's button inserts a reference to it at the cursor of the editor that was active.
import * as path from "node:path";
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";
import type { ThumbnailIcons } from "../thumbnails/thumbnail-icons";
import { KeyedDebouncer } from "../shared/debounce";
import { relativeImagePath } from "../shared/image-src";
import { imageQuery, searchImages, textQuery, type ImageHit } from "./image-search";
import { snippetLabel } from "../shared/image-text";
import { referenceSnippet } from "./reference-snippet";

const TYPING_DEBOUNCE_MS = 250;
const INSERT_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("insert"), tooltip: "Insert a reference at the cursor" };

interface ImageItem extends vscode.QuickPickItem {
  hit: ImageHit;
}

export function registerSearch(connection: DaemonConnection, indexer: WorkspaceIndexer, thumbnails: ThumbnailIcons): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand("llm2clip.searchImages", (query?: string) => showSearch(connection, indexer, thumbnails, typeof query === "string" ? query : "")),
    vscode.commands.registerCommand("llm2clip.findSimilarImages", async (uri?: vscode.Uri) => {
      const image = uri instanceof vscode.Uri ? uri : activeImage();
      if (!image) {
        void vscode.window.showInformationMessage("LLM2CLIP: choose an image in the Explorer to find similar ones.");
        return;
      }
      await showSearch(connection, indexer, thumbnails, "", image);
    }),
  );
}

function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
}

async function ensureConnected(connection: DaemonConnection): Promise<boolean> {
  if (connection.state.kind === "connected") return true;
  const choice = await vscode.window.showWarningMessage("LLM2CLIP is not connected to a daemon.", "Start Daemon", "Show Log");
  if (choice === "Start Daemon") connection.startDaemon();
  if (choice === "Show Log") await vscode.commands.executeCommand("llm2clip.showLog");
  return false;
}

async function showSearch(
  connection: DaemonConnection,
  indexer: WorkspaceIndexer,
  thumbnails: ThumbnailIcons,
  initialQuery: string,
  similarTo?: vscode.Uri,
): Promise<void> {
  if (!(await ensureConnected(connection))) return;
  const editor = vscode.window.activeTextEditor;
  const topK = vscode.workspace.getConfiguration("llm2clip.search").get<number>("maxResults", 20);
  const pick = vscode.window.createQuickPick<ImageItem>();
  pick.title = similarTo ? `LLM2CLIP: Images similar to ${path.basename(similarTo.path)}` : "LLM2CLIP: Search Images";
  pick.placeholder = "Describe the image, e.g. “a large red circle at the top left”";
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  const debouncer = new KeyedDebouncer<"query">(TYPING_DEBOUNCE_MS);
  let generation = 0;

  const run = async (load: () => Promise<ImageHit[]>) => {
    const current = ++generation;
    pick.busy = true;
    try {
      const hits = await load();
      if (current !== generation) return;
      const icons = await thumbnails.icons(hits.map((hit) => hit.uri));
      if (current !== generation) return;
      pick.items = hits.map((hit, i) => toItem(hit, icons[i]!));
      if (hits.length === 0) pick.placeholder = indexer.folders.some((f) => f.phase === "indexed") ? "No images match." : "The workspace is not indexed yet.";
    } catch (error) {
      if (current === generation) {
        pick.items = [];
        void vscode.window.showErrorMessage(`LLM2CLIP search failed: ${(error as Error).message}`);
      }
    } finally {
      if (current === generation) pick.busy = false;
    }
  };

  pick.onDidChangeValue((value) => {
    if (value.trim() === "") {
      generation += 1;
      debouncer.cancel("query");
      pick.items = [];
      pick.busy = false;
      return;
    }
    debouncer.run("query", () => void run(() => searchImages(connection, indexer, textQuery(value), topK)));
  });
  pick.onDidAccept(() => {
    const item = pick.selectedItems[0];
    if (!item) return;
    pick.hide();
    void vscode.commands.executeCommand("vscode.open", item.hit.uri);
  });
  pick.onDidTriggerItemButton(async ({ item }) => {
    pick.hide();
    await insertReference(editor, item.hit, pick.value.trim());
  });
  pick.onDidHide(() => {
    debouncer.dispose();
    pick.dispose();
  });
  pick.show();
  if (similarTo) void run(async () => searchImages(connection, indexer, await imageQuery(indexer, similarTo), topK));
  else if (initialQuery) pick.value = initialQuery;
}

function toItem(hit: ImageHit, icon: vscode.Uri): ImageItem {
  return {
    label: path.posix.basename(hit.path),
    description: `score ${hit.score.toFixed(3)}`,
    detail: withMatchedText(hit.width ? `${hit.path} · ${hit.width}×${hit.height}` : hit.path, hit),
    iconPath: icon,
    buttons: [INSERT_BUTTON],
    // The daemon ranks by meaning; without this the QuickPick would hide items whose label does not contain the query.
    alwaysShow: true,
    hit,
  };
}

/** The item's detail line, followed by the image text that matched the query, when some did. */
function withMatchedText(detail: string, hit: ImageHit): string {
  return hit.snippet ? `${detail} · ${snippetLabel(hit.snippet)}` : detail;
}

async function insertReference(editor: vscode.TextEditor | undefined, hit: ImageHit, alt: string): Promise<void> {
  if (!editor || editor.document.isClosed) {
    void vscode.window.showInformationMessage("LLM2CLIP: open a document to insert the image reference into.");
    return;
  }
  const document = editor.document;
  const documentFolder = vscode.workspace.getWorkspaceFolder(document.uri);
  const imagePath =
    documentFolder?.uri.toString() === hit.folder.uri.toString()
      ? relativeImagePath(path.posix.relative(hit.folder.uri.path, document.uri.path), hit.path)
      : hit.uri.fsPath;
  const snippet = referenceSnippet(document.languageId, imagePath, alt);
  await editor.edit((builder) => builder.replace(editor.selection, snippet));
  await vscode.window.showTextDocument(document, editor.viewColumn);
}
