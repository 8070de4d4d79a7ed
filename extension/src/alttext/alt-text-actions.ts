// Quick fixes for alt-text diagnostics, and the hover on an image reference.
import * as vscode from "vscode";
import { findImageReferences, isReferenceLanguage } from "@llm2clip/client";
import type { GetAssetTextResponse } from "@llm2clip/proto";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";
import { imageTextMarkdown } from "../shared/image-text";
import { DIAGNOSTIC_SOURCE, type AltTextChecker } from "./alt-text-checker";
import { altTextFixes } from "./quick-fixes";

export class AltTextCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly checker: AltTextChecker) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!vscode.workspace.getConfiguration("llm2clip.altText", document).get<boolean>("codeActions", true)) return [];
    if (!isReferenceLanguage(document.languageId)) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const offset = document.offsetAt(diagnostic.range.start);
      const checked = this.checker.referenceAt(document, offset);
      // Offsets may have moved since the check: take the reference from the text as it is now.
      const current = findImageReferences(document.getText(), document.languageId).find((ref) => ref.range[0] <= offset && offset <= ref.range[1]);
      if (!checked?.check || !current) continue;
      altTextFixes(current, checked.check.suggestions).forEach((fix, i) => {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.isPreferred = i === 0;
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, new vscode.Range(document.positionAt(fix.edit.range[0]), document.positionAt(fix.edit.range[1])), fix.edit.newText);
        actions.push(action);
      });
    }
    return actions;
  }
}

/** A hover waits this long for the image's text before showing without it. */
const IMAGE_TEXT_TIMEOUT_MS = 3000;

export class AltTextHover implements vscode.HoverProvider {
  constructor(
    private readonly checker: AltTextChecker,
    private readonly connection: DaemonConnection,
    private readonly indexer: WorkspaceIndexer,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!vscode.workspace.getConfiguration("llm2clip.altText", document).get<boolean>("hover", true)) return undefined;
    const checked = this.checker.referenceAt(document, document.offsetAt(position));
    if (!checked?.image) return undefined;
    const { ref, image, check } = checked;
    const markdown = new vscode.MarkdownString(undefined, true);
    // Markdown image syntax, not <img>: the editor rewrites these URIs for remote windows (code-server, SSH).
    markdown.appendMarkdown(`![thumbnail](${image.toString()}|height=96)\n\n`);
    markdown.appendMarkdown(`**${vscode.workspace.asRelativePath(image)}**\n\n`);
    if (ref.decorative) markdown.appendMarkdown("Decorative image (hidden from screen readers).\n\n");
    if (check) {
      const verdict = checked.findings[0]?.rule ?? "good";
      if (ref.alt?.trim()) markdown.appendText(`Alt text "${ref.alt.trim()}": score ${check.cosine.toFixed(3)} (${verdict})`).appendMarkdown("\n\n");
      const best = check.suggestions[0];
      if (best) markdown.appendMarkdown("Best suggestion: ").appendText(`"${best}"`);
    } else if (!ref.decorative) {
      markdown.appendMarkdown("_Not scored: the LLM2CLIP daemon is not connected._");
    }
    const text = await this.imageText(image);
    if (text) markdown.appendMarkdown(`\n\n${text}`);
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(ref.range[0]), document.positionAt(ref.range[1])));
  }

  /** The image's text (GetAssetText) as the hover shows it; undefined without a daemon or an indexed image. */
  private async imageText(image: vscode.Uri): Promise<string | undefined> {
    const location = this.indexer.locate(image);
    if (!location || this.connection.state.kind !== "connected") return undefined;
    const response = await this.connection
      .unary<GetAssetTextResponse>(
        (client, metadata, options, callback) => client.getAssetText({ collection: location.collection, path: location.path }, metadata, options, callback),
        IMAGE_TEXT_TIMEOUT_MS,
      )
      .catch(() => undefined);
    return response && imageTextMarkdown(response);
  }
}
