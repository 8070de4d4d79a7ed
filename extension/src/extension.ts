// LLM2CLIP for VS Code: natural-language image search and alt-text checks, backed by the llm2clipd daemon.
// Each feature lives in its own folder; activate only wires them together.
import * as vscode from "vscode";
import { registerAltText } from "./alttext/register";
import { DaemonConnection } from "./connection/connection";
import { registerGallery } from "./gallery/gallery-view";
import { WorkspaceIndexer } from "./indexing/indexer";
import { registerSearch } from "./search/search-quick-pick";
import { registerStatusBar } from "./statusbar/status-bar";
import { ThumbnailIcons } from "./thumbnails/thumbnail-icons";

let activeConnection: DaemonConnection | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("LLM2CLIP", { log: true });
  const connection = new DaemonConnection(context, log);
  activeConnection = connection;
  const indexer = new WorkspaceIndexer(connection, log);
  // Each subscription is disposed on its own; the log goes last so that nothing before it writes to a closed channel.
  context.subscriptions.push(
    connection,
    indexer,
    registerStatusBar(connection, indexer),
    registerSearch(connection, indexer, new ThumbnailIcons(context.globalStorageUri, connection, log)),
    registerGallery(context.extensionUri, connection, indexer),
    registerAltText(connection, indexer, log),
    vscode.commands.registerCommand("llm2clip.reindex", () => indexer.indexAll(true)),
    vscode.commands.registerCommand("llm2clip.startDaemon", () => connection.startDaemon()),
    vscode.commands.registerCommand("llm2clip.reconnect", () => connection.restart()),
    vscode.commands.registerCommand("llm2clip.setToken", () => connection.setToken()),
    vscode.commands.registerCommand("llm2clip.showLog", () => log.show()),
    vscode.commands.registerCommand("llm2clip.openSettings", () => vscode.commands.executeCommand("workbench.action.openSettings", "@ext:llm2clip.llm2clip-vscode")),
    log,
  );
  void connection.start();
}

/** Stops the daemon the extension started, and lets the editor wait until it has exited (window close or reload). */
export function deactivate(): Promise<void> | undefined {
  const connection = activeConnection;
  activeConnection = undefined;
  connection?.dispose();
  return connection?.stopped;
}
