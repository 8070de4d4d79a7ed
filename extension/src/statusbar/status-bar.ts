// The status-bar item (connection, model, device, indexing) and its menu.
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";
import { statusText } from "./status-text";

export function registerStatusBar(connection: DaemonConnection, indexer: WorkspaceIndexer): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("llm2clip.status", vscode.StatusBarAlignment.Left, 10);
  item.name = "LLM2CLIP";
  item.command = "llm2clip.statusMenu";
  const update = () => {
    const status = statusText(
      connection.state,
      indexer.folders.map((f) => ({ name: f.folder.name, phase: f.phase, progress: f.progress, assets: f.assets, ...(f.error && { error: f.error }) })),
    );
    item.text = status.text;
    item.tooltip = status.tooltip;
    item.backgroundColor = status.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  };
  update();
  item.show();
  return vscode.Disposable.from(
    item,
    connection.onDidChangeState(update),
    indexer.onDidChange(update),
    vscode.commands.registerCommand("llm2clip.statusMenu", () => showMenu(connection)),
  );
}

async function showMenu(connection: DaemonConnection): Promise<void> {
  const connected = connection.state.kind === "connected";
  const entries: Array<vscode.QuickPickItem & { command: string }> = [
    ...(connected
      ? [
          { label: "$(search) Search images", command: "llm2clip.searchImages" },
          { label: "$(refresh) Reindex workspace images", command: "llm2clip.reindex" },
        ]
      : [
          { label: "$(play) Start daemon", command: "llm2clip.startDaemon" },
          { label: "$(debug-restart) Reconnect", command: "llm2clip.reconnect" },
        ]),
    { label: "$(output) Show log", command: "llm2clip.showLog" },
    { label: "$(settings-gear) Open settings", command: "llm2clip.openSettings" },
    { label: "$(key) Set daemon token", command: "llm2clip.setToken" },
  ];
  const choice = await vscode.window.showQuickPick(entries, { title: "LLM2CLIP", placeHolder: connection.state.kind === "connected" ? `Connected to ${connection.state.target}` : "Not connected" });
  if (choice) await vscode.commands.executeCommand(choice.command);
}
