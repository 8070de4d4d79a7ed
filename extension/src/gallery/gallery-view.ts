// The sidebar gallery: a query box and a grid of thumbnails with scores. The page (media/gallery.js) asks for
// searches and opens; this side runs them against the daemon and hands back webview-safe image URIs.
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";
import { searchImages, textQuery } from "../search/image-search";
import { snippetLabel } from "../shared/image-text";

/** The grid shows more than the quick pick: thumbnails are cheap to scan and load lazily. */
const GALLERY_RESULTS = 48;

type FromPage = { type: "search"; query: string } | { type: "open"; uri: string };

interface GalleryItem {
  src: string;
  uri: string;
  path: string;
  score: number;
  /** The image text that matched the query, quoted (see snippetLabel). */
  snippet?: string;
}

export class GalleryViewProvider implements vscode.WebviewViewProvider {
  static readonly viewId = "llm2clip.gallery";
  private view: vscode.WebviewView | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: DaemonConnection,
    private readonly indexer: WorkspaceIndexer,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.extensionUri, "media");
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [media, ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri)],
    };
    view.webview.html = this.html(view.webview, media);
    view.webview.onDidReceiveMessage((message: FromPage) => void this.handle(message));
    this.postStatus();
  }

  /** Tells the page whether it can search yet. */
  postStatus(): void {
    const state = this.connection.state;
    const indexing = this.indexer.folders.some((f) => f.phase === "indexing");
    const text =
      state.kind !== "connected"
        ? "Not connected to the LLM2CLIP daemon."
        : indexing
          ? "Indexing the workspace's images…"
          : `${this.indexer.folders.reduce((sum, f) => sum + f.assets, 0)} images indexed.`;
    void this.view?.webview.postMessage({ type: "status", text });
  }

  private async handle(message: FromPage): Promise<void> {
    if (message.type === "open") {
      await vscode.commands.executeCommand("vscode.open", vscode.Uri.parse(message.uri));
      return;
    }
    const webview = this.view?.webview;
    if (!webview || message.query.trim() === "") return;
    try {
      const topK = vscode.workspace.getConfiguration("llm2clip.search").get<number>("maxResults", 20);
      const hits = await searchImages(this.connection, this.indexer, textQuery(message.query), Math.max(topK, GALLERY_RESULTS));
      const items: GalleryItem[] = hits.map((hit) => ({
        src: webview.asWebviewUri(hit.uri).toString(),
        uri: hit.uri.toString(),
        path: hit.path,
        score: hit.score,
        ...(hit.snippet && { snippet: snippetLabel(hit.snippet) }),
      }));
      await webview.postMessage({ type: "results", query: message.query, items });
    } catch (error) {
      await webview.postMessage({ type: "error", query: message.query, text: (error as Error).message });
    }
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, "gallery.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, "gallery.css"));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Image Gallery</title>
</head>
<body>
<input id="query" type="search" placeholder="Describe an image…" aria-label="Describe the image to find" autofocus>
<p id="status" role="status"></p>
<ul id="grid" aria-label="Matching images"></ul>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

export function registerGallery(extensionUri: vscode.Uri, connection: DaemonConnection, indexer: WorkspaceIndexer): vscode.Disposable {
  const provider = new GalleryViewProvider(extensionUri, connection, indexer);
  return vscode.Disposable.from(
    vscode.window.registerWebviewViewProvider(GalleryViewProvider.viewId, provider),
    connection.onDidChangeState(() => provider.postStatus()),
    indexer.onDidChange(() => provider.postStatus()),
  );
}
