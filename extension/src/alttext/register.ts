import * as vscode from "vscode";
import { REFERENCE_LANGUAGES } from "@llm2clip/client";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";
import { AltTextCodeActions, AltTextHover } from "./alt-text-actions";
import { AltTextChecker } from "./alt-text-checker";

export function registerAltText(connection: DaemonConnection, indexer: WorkspaceIndexer, log: vscode.LogOutputChannel): vscode.Disposable {
  const checker = new AltTextChecker(connection, indexer, log);
  const selector = REFERENCE_LANGUAGES.map((language) => ({ language }));
  return vscode.Disposable.from(
    checker,
    vscode.languages.registerCodeActionsProvider(selector, new AltTextCodeActions(checker), { providedCodeActionKinds: AltTextCodeActions.kinds }),
    vscode.languages.registerHoverProvider(selector, new AltTextHover(checker, connection, indexer)),
    vscode.commands.registerCommand("llm2clip.checkAltText", () => {
      const document = vscode.window.activeTextEditor?.document;
      if (document) void checker.check(document);
    }),
  );
}
