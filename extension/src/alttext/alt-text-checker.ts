// Alt-text diagnostics with lint-alt's rules and severities: missing alt text, the model-free anti-patterns and
// unreadable images at once, with or without a daemon; weak or mismatched alt text from the daemon's SuggestAltText
// verdict. Documents are checked on open and on save, debounced; verdicts are cached by image hash and alt text.
import { status } from "@grpc/grpc-js";
import type { SuggestAltTextRequest, SuggestAltTextResponse } from "@llm2clip/proto";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  FileHashes,
  findImageReferences,
  isAltMissing,
  isReferenceLanguage,
  type ImageReference,
  mapLimited,
  referenceContext,
  relativeInside,
  resolveImageFile,
  retryAfterMs,
  unreadableReason,
} from "@llm2clip/client";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";
import { KeyedDebouncer } from "../shared/debounce";
import {
  antiPatternFinding,
  betterSuggestions,
  contradictionFinding,
  missingFinding,
  severityFor,
  unreadableFinding,
  verdictFinding,
  type AltCheck,
  type EditorSeverity,
  type Finding,
  type SeveritySetting,
  type SeveritySettings,
} from "./findings";

export const DIAGNOSTIC_SOURCE = "LLM2CLIP";
const CHECK_DEBOUNCE_MS = 400;
const MAX_SUGGESTIONS = 3;
/** SuggestAltText composes suggestions by beam search: a page of 40 images at once would queue behind each other. */
const CONCURRENT_CHECKS = 4;
/**
 * A check that failed for a passing reason (daemon restarting or slow) is tried again after this long; when the daemon
 * was busy, after the wait it asked for instead (the calls themselves already retried a few times, see withRetries).
 */
const RETRY_AFTER_MS = 5_000;
const TRANSIENT = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED]);

/** What the checker learnt about one reference; the hover and the code actions read it. */
export interface CheckedReference {
  ref: ImageReference;
  image?: vscode.Uri;
  check?: AltCheck;
  /** Most important first: missing alt text, an anti-pattern, an unreadable image, then the model's verdict. */
  findings: Finding[];
}

const SEVERITY: Record<Exclude<EditorSeverity, "off">, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export class AltTextChecker implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection("llm2clip-alt-text");
  private readonly results = new Map<string, CheckedReference[]>();
  private readonly verdicts = new Map<string, Promise<AltCheck>>();
  private readonly imageHashes = new FileHashes();
  private readonly debouncer = new KeyedDebouncer<string>(CHECK_DEBOUNCE_MS);
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.debouncer];

  constructor(
    private readonly connection: DaemonConnection,
    private readonly indexer: WorkspaceIndexer,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.schedule(document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.debouncer.cancel(document.uri.toString());
        this.results.delete(document.uri.toString());
        this.diagnostics.delete(document.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("llm2clip.altText")) this.checkOpenDocuments();
      }),
      connection.onDidChangeState((state) => {
        if (state.kind === "connected") {
          this.verdicts.clear();
          this.checkOpenDocuments();
        }
      }),
    );
    this.checkOpenDocuments();
  }

  /** The checked reference under `offset`, for the hover and the code actions. */
  referenceAt(document: vscode.TextDocument, offset: number): CheckedReference | undefined {
    return this.results.get(document.uri.toString())?.find(({ ref }) => ref.range[0] <= offset && offset <= ref.range[1]);
  }

  checkOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document);
  }

  schedule(document: vscode.TextDocument): void {
    if (!isReferenceLanguage(document.languageId) || document.uri.scheme === "output") return;
    this.debouncer.run(document.uri.toString(), () => void this.check(document));
  }

  async check(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const config = vscode.workspace.getConfiguration("llm2clip.altText", document);
    if (!config.get<boolean>("enabled", true) || !isReferenceLanguage(document.languageId)) {
      this.diagnostics.delete(document.uri);
      this.results.delete(key);
      return;
    }
    const version = document.version;
    const text = document.getText();
    const refs = findImageReferences(text, document.languageId);
    const withModel = config.get<boolean>("checkWithModel", true) && this.connection.state.kind === "connected";
    let retryInMs: number | undefined;
    const checked = await mapLimited(refs, CONCURRENT_CHECKS, (ref) =>
      this.checkReference(document, text, ref, withModel, (waitMs) => (retryInMs = Math.max(retryInMs ?? 0, waitMs))),
    );
    if (document.isClosed || document.version !== version) return;
    if (retryInMs !== undefined) setTimeout(() => this.schedule(document), retryInMs);
    this.results.set(key, checked);
    const setting = (name: string) => config.get<SeveritySetting>(name, "default");
    const severities: SeveritySettings = {
      missing: setting("missingSeverity"),
      antiPattern: setting("antiPatternSeverity"),
      unreadable: setting("unreadableSeverity"),
      mismatch: setting("mismatchSeverity"),
      weak: setting("weakSeverity"),
    };
    const diagnostics = checked.flatMap(({ findings }) =>
      findings.flatMap((finding) => {
        const severity = severityFor(finding, severities);
        if (severity === "off") return [];
        const range = new vscode.Range(document.positionAt(finding.range[0]), document.positionAt(finding.range[1]));
        const diagnostic = new vscode.Diagnostic(range, finding.message, SEVERITY[severity]);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = finding.rule;
        return [diagnostic];
      }),
    );
    this.diagnostics.set(document.uri, diagnostics);
  }

  private async checkReference(
    document: vscode.TextDocument,
    text: string,
    ref: ImageReference,
    withModel: boolean,
    onTransientFailure: (retryInMs: number) => void,
  ): Promise<CheckedReference> {
    const image = this.imageUri(document, ref.src);
    const missing = isAltMissing(ref);
    const judgeable = missing || (!ref.decorative && !ref.dynamicAlt && (ref.alt ?? "").trim() !== "");
    const unreadable = judgeable && image ? await unreadableReason(image.fsPath) : undefined;
    let check: AltCheck | undefined;
    if (withModel && judgeable && image && !unreadable) {
      check = await this.verdict(document, text, ref, image).catch((error: Error & { code?: number }) => {
        this.log.warn(`alt-text check of ${image.fsPath} failed: ${error.message}`);
        if (error.code !== undefined && TRANSIENT.has(error.code)) onTransientFailure(retryAfterMs(error) ?? RETRY_AFTER_MS);
        return undefined;
      });
    }
    const markup = missing ? missingFinding(ref, check) : judgeable ? antiPatternFinding(ref, check) : undefined;
    const verdict = !markup && check ? verdictFinding(ref, check) : undefined;
    const contradiction = !markup && check ? contradictionFinding(ref, check) : undefined;
    const findings = [markup, unreadable ? unreadableFinding(ref, unreadable) : undefined, contradiction, verdict].filter((f): f is Finding => f !== undefined);
    return { ref, ...(image && { image }), ...(check && { check }), findings };
  }

  /** The image file `src` names, when it is a local file; a leading '/' means the workspace folder. */
  private imageUri(document: vscode.TextDocument, src: string): vscode.Uri | undefined {
    if (document.uri.scheme !== "file") return undefined;
    const root = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? path.dirname(document.uri.fsPath);
    const file = resolveImageFile(document.uri.fsPath, src, root);
    return file && relativeInside(root, file) ? vscode.Uri.file(file) : undefined;
  }

  private async verdict(document: vscode.TextDocument, text: string, ref: ImageReference, image: vscode.Uri): Promise<AltCheck> {
    const { sha256 } = await this.imageHashes.hash(image.fsPath);
    const alt = isAltMissing(ref) ? "" : (ref.alt ?? "").trim();
    const cacheKey = `${this.connection.model?.name}\0${sha256}\0${alt}`;
    let pending = this.verdicts.get(cacheKey);
    if (!pending) {
      pending = this.requestVerdict(document, text, ref, image, alt);
      this.verdicts.set(cacheKey, pending);
      pending.catch(() => this.verdicts.delete(cacheKey));
    }
    return pending;
  }

  private async requestVerdict(document: vscode.TextDocument, text: string, ref: ImageReference, image: vscode.Uri, alt: string): Promise<AltCheck> {
    const context = referenceContext(text, ref, path.basename(image.fsPath));
    const location = this.indexer.locate(image);
    const request: SuggestAltTextRequest = {
      image: { data: Buffer.from(await vscode.workspace.fs.readFile(image)) },
      currentAlt: alt,
      context,
      collection: location?.collection ?? "",
      maxSuggestions: MAX_SUGGESTIONS,
    };
    const response = await this.connection.unary<SuggestAltTextResponse>((client, metadata, options, callback) =>
      client.suggestAltText(request, metadata, options, callback),
    );
    this.log.debug(`${document.uri.fsPath}: ${image.fsPath} "${alt}" -> verdict ${response.current?.verdict} cosine ${response.current?.cosine}`);
    return {
      verdict: response.current?.verdict ?? 0,
      cosine: response.current?.cosine ?? 0,
      confidence: response.current?.confidence ?? 0,
      ...(response.domain && { domain: response.domain }),
      ...(response.thresholds && { thresholds: response.thresholds }),
      suggestions: betterSuggestions(ref, response.current?.cosine ?? 0, response.suggestions),
      ...(response.textContradiction && { textContradiction: response.textContradiction }),
    };
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
