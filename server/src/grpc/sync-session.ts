import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { AssetChunk, ManifestEntry, SyncAssetsRequest, SyncAssetsResponse, SyncManifest, SyncSummary } from "@llm2clip/proto";
import { Llm2ClipError, invalidArgument } from "../errors";
import type { ImageEmbedding } from "../model/types";
import type { AssetInput, Collection } from "../store/collection";
import type { CollectionRegistry } from "../store/collections";
import { validateAssetPath, validateSha256 } from "../store/names";
import { ENTRY_OVERHEAD_BYTES, stringBytes, type StreamByteBudget } from "./stream-budget";

export const MAX_MANIFEST_ENTRIES = 1_000_000;
const MAX_ALT_TEXTS = 32;
const MAX_ALT_TEXT_LENGTH = 2000;
/** Contents embedded at once; the model batches concurrent calls, and more would only hold more bytes in memory. */
const EMBED_CONCURRENCY = 4;
/**
 * A full vision queue (a small --max-queue, or other clients' load) is the daemon's own back-pressure, not the file's
 * fault: the content waits as long as the queue asks and tries again, this many times in all.
 */
const EMBED_ATTEMPTS = 20;

export interface SyncDeps {
  registry: CollectionRegistry;
  embedImage(bytes: Uint8Array, signal: AbortSignal): Promise<ImageEmbedding>;
  /** The largest file accepted, in bytes. */
  maxAssetBytes: number;
  /** The google.rpc code of an error, for per-file errors. */
  codeOf(error: unknown): number;
  /** Hands a stored content's bytes to OCR, which runs after the acknowledgement; absent when OCR is off. */
  readText?(collection: string, sha256: string, bytes: Uint8Array): void;
  /** What the manifest and the received bytes may hold; closed when the session ends. */
  budget: StreamByteBudget;
}

export interface SyncOutput {
  send(message: SyncAssetsResponse): void;
  /** Ends the stream with an error status; nothing is sent after it. */
  fail(error: unknown): void;
  /** Ends the stream after the summary. */
  end(): void;
  /** Flow control: stop or resume reading the client's chunks. */
  pause(): void;
  resume(): void;
}

interface PlannedEntry extends AssetInput {
  index: number;
}

interface PendingContent {
  sha256: string;
  size: number;
  entries: PlannedEntry[];
  chunks: Buffer[];
  received: number;
  /** Bytes of `chunks`, counted against the budget until the content is stored or fails. */
  held: number;
  /** Set once the content has failed; later chunks of it are dropped. */
  failed: boolean;
}

/**
 * One SyncAssets exchange, free of the transport: manifest messages in, NeededHashes, chunks in, per-file progress and a
 * summary out. A content's paths are acknowledged (progress events) only after the transaction that stores it has
 * committed, so a client that re-syncs after a dropped connection or a daemon crash re-sends exactly what was not acknowledged.
 */
export class SyncSession {
  private readonly entries: PlannedEntry[] = [];
  private readonly paths = new Set<string>();
  private collectionName?: string;
  private full = false;
  private planned = false;
  private finished = false;
  private clientEnded = false;
  private collection?: Collection;
  private readonly pending = new Map<string, PendingContent>();
  private readonly ready: PendingContent[] = [];
  private inFlight = 0;
  private done = 0;
  private bytesDone = 0;
  private bytesTotal = 0;
  private readonly summary: SyncSummary = {
    added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, embedded: 0, bytesReceived: 0, totalAssets: 0, textQueued: 0,
  };
  private readonly abort = new AbortController();
  private release?: () => void;

  constructor(
    private readonly deps: SyncDeps,
    private readonly out: SyncOutput,
  ) {}

  onRequest(request: SyncAssetsRequest): void {
    if (request.manifest) this.onManifest(request.manifest);
    else if (request.chunk) this.onChunk(request.chunk);
    else this.guard(() => {
      throw invalidArgument("message", "a SyncAssetsRequest must set manifest or chunk");
    });
  }

  private onManifest(manifest: SyncManifest): void {
    this.guard(() => {
      if (this.planned) {
        throw invalidArgument("manifest", "a manifest message came after the last one (more = false)");
      }
      if (this.collectionName !== undefined && manifest.collection !== this.collectionName) {
        throw invalidArgument("manifest.collection", `'${manifest.collection}' differs from '${this.collectionName}' given by the first manifest message`);
      }
      this.collectionName = manifest.collection;
      this.full ||= manifest.full;
      for (const entry of manifest.entries) this.addEntry(entry);
      if (!manifest.more) this.start();
    });
  }

  private onChunk(chunk: AssetChunk): void {
    this.guard(() => {
      this.acceptChunk(chunk);
      this.maybeFinish();
    });
  }

  private acceptChunk(chunk: AssetChunk): void {
    const content = this.pending.get(chunk.sha256);
    if (!this.planned || !content) {
      throw invalidArgument("chunk.sha256", `${JSON.stringify(chunk.sha256.slice(0, 80))} is not among the hashes the daemon asked for, or was already sent`);
    }
    if (content.failed) {
      if (chunk.last) this.pending.delete(chunk.sha256);
      return;
    }
    content.received += chunk.data.length;
    this.summary.bytesReceived += chunk.data.length;
    if (content.received > content.size) {
      this.failContent(content, invalidArgument(`manifest.entries[${content.entries[0]!.index}].size`, `received more than the declared ${content.size} bytes`));
      if (chunk.last) this.pending.delete(chunk.sha256);
      return;
    }
    this.deps.budget.take(chunk.data.length, "chunk.data");
    content.chunks.push(chunk.data);
    content.held += chunk.data.length;
    if (!chunk.last) return;
    this.pending.delete(chunk.sha256);
    const bytes = Buffer.concat(content.chunks);
    content.chunks = [bytes];
    const actual = createHash("sha256").update(bytes).digest("hex");
    const field = `manifest.entries[${content.entries[0]!.index}].sha256`;
    if (actual !== content.sha256) {
      this.failContent(content, invalidArgument(field, `the ${bytes.length} bytes received hash to sha256 ${actual}, not ${content.sha256}`));
    } else if (bytes.length !== content.size) {
      this.failContent(content, invalidArgument(`manifest.entries[${content.entries[0]!.index}].size`, `declared ${content.size} bytes, received ${bytes.length}`));
    } else {
      this.ready.push(content);
      this.pump();
    }
  }

  /** The client half-closed its side: contents it never finished sending fail, the rest completes. */
  onClientEnd(): void {
    this.guard(() => {
      this.clientEnded = true;
      if (!this.planned) throw invalidArgument("manifest", "the stream ended before the last manifest message (more = false)");
      for (const content of this.pending.values()) {
        if (!content.failed) this.failContent(content, new Llm2ClipError("cancelled", "the client ended the stream before sending this file"));
      }
      this.pending.clear();
      this.maybeFinish();
    });
  }

  onCancel(): void {
    this.finished = true;
    this.abort.abort();
    this.deps.budget.close();
    this.release?.();
  }

  /** True while nothing can progress until the client sends more: the idle timeout applies only then. */
  waitingOnClient(): boolean {
    if (this.finished || this.clientEnded) return false;
    if (!this.planned) return true;
    return this.collection !== undefined && this.pending.size > 0 && this.inFlight === 0 && this.ready.length === 0;
  }

  /** The client went quiet (see waitingOnClient): the stream ends with `error`, releasing the collection. */
  onIdle(error: unknown): void {
    this.guard(() => {
      throw error;
    });
  }

  private addEntry(entry: ManifestEntry): void {
    const index = this.entries.length;
    if (index >= MAX_MANIFEST_ENTRIES) {
      throw new Llm2ClipError("out_of_range", `manifest.entries: more than the limit of ${MAX_MANIFEST_ENTRIES} entries`, "manifest.entries");
    }
    const field = `manifest.entries[${index}]`;
    const path = validateAssetPath(entry.path, `${field}.path`);
    if (this.paths.has(path)) throw invalidArgument(`${field}.path`, `${JSON.stringify(path)} is listed twice`);
    validateSha256(entry.sha256, `${field}.sha256`);
    this.deps.budget.take(
      ENTRY_OVERHEAD_BYTES + 2 * stringBytes(entry.path) + stringBytes(entry.sha256) + entry.altTexts.reduce((sum, text) => sum + stringBytes(text), 0),
      field,
    );
    if (entry.altTexts.length > MAX_ALT_TEXTS) {
      throw invalidArgument(`${field}.alt_texts`, `${entry.altTexts.length} alt texts, the limit is ${MAX_ALT_TEXTS}`);
    }
    entry.altTexts.forEach((text, i) => {
      if (text.length > MAX_ALT_TEXT_LENGTH) {
        throw invalidArgument(`${field}.alt_texts[${i}]`, `${text.length} characters, the limit is ${MAX_ALT_TEXT_LENGTH}`);
      }
    });
    this.paths.add(path);
    const altTexts = [...new Set(entry.altTexts.map((text) => text.trim()).filter((text) => text.length > 0))];
    this.entries.push({ index, path, sha256: entry.sha256, size: entry.size, mtimeMs: entry.mtimeMs, altTexts });
  }

  /** Takes the collection's lock, settles what needs no bytes, and asks for the rest. */
  private start(): void {
    this.planned = true;
    const name = this.collectionName ?? "";
    void this.deps.registry
      .exclusive(name, () => new Promise<void>((release) => {
        this.release = release;
        if (this.finished) return release();
        this.guard(() => this.plan(this.deps.registry.getOrCreate(name, "manifest.collection")));
      }))
      .catch(() => undefined);
  }

  private plan(collection: Collection): void {
    this.collection = collection;
    const served = this.deps.registry.served;
    if (collection.modelMismatch(served)) collection.resetForModel(served);

    const known: PlannedEntry[] = [];
    const immediateFailures: { entry: PlannedEntry; error: Llm2ClipError }[] = [];
    for (const entry of this.entries) {
      const existing = collection.asset(entry.path);
      const stored = collection.content(entry.sha256);
      if (stored && stored.size !== entry.size) {
        const field = `manifest.entries[${entry.index}].size`;
        immediateFailures.push({ entry, error: invalidArgument(field, `declares ${entry.size} bytes, but the stored content with this sha256 has ${stored.size}`) });
        continue;
      }
      if (stored) {
        known.push(entry);
        if (!existing) this.summary.added++;
        else if (existing.content.sha256 !== entry.sha256) this.summary.updated++;
        else this.summary.unchanged++;
        continue;
      }
      const sameHash = this.pending.get(entry.sha256);
      if (sameHash && sameHash.size !== entry.size) {
        throw invalidArgument(`manifest.entries[${entry.index}].size`, `${entry.size} differs from the size ${sameHash.size} given for the same sha256 in manifest.entries[${sameHash.entries[0]!.index}]`);
      }
      if (entry.size > this.deps.maxAssetBytes) {
        immediateFailures.push({
          entry,
          error: new Llm2ClipError("out_of_range", `manifest.entries[${entry.index}].size: ${entry.size} bytes is over the limit of ${this.deps.maxAssetBytes}`, `manifest.entries[${entry.index}].size`),
        });
        continue;
      }
      if (sameHash) sameHash.entries.push(entry);
      else this.pending.set(entry.sha256, { sha256: entry.sha256, size: entry.size, entries: [entry], chunks: [], received: 0, held: 0, failed: false });
    }

    const listed = new Set(this.entries.map((entry) => entry.path));
    const deletes = this.full ? [...collection.assets()].map((asset) => asset.path).filter((path) => !listed.has(path)) : [];
    // A failed path's stored content no longer matches the file, so the path leaves the index too.
    const stale = immediateFailures.map(({ entry }) => entry.path).filter((path) => collection.asset(path));
    collection.applyPaths(known, [...deletes, ...stale]);
    this.summary.deleted = deletes.length;

    for (const content of this.pending.values()) this.bytesTotal += content.size;
    this.out.send({ needed: { sha256: [...this.pending.keys()], bytesTotal: this.bytesTotal } });
    // Every path gets one progress event; those whose content is already stored are settled now.
    for (const entry of known) {
      this.done++;
      this.progress(entry.path);
    }
    if (this.entries.length === 0) this.progress("");
    for (const { entry, error } of immediateFailures) this.failEntry(entry, error);
    this.maybeFinish();
  }

  /** Embeds ready contents, a few at a time, pausing the client while too many wait. */
  private pump(): void {
    while (this.inFlight < EMBED_CONCURRENCY && this.ready.length > 0) {
      const content = this.ready.shift()!;
      this.inFlight++;
      void this.embed(content).finally(() => {
        this.inFlight--;
        if (!this.finished) {
          this.pump();
          this.maybeFinish();
        }
      });
    }
    // Reading stops while embeddings under way will free bytes; with nothing under way, stopping would only stall.
    const budget = this.deps.budget;
    if (this.ready.length > EMBED_CONCURRENCY || (this.inFlight > 0 && budget.heldBytes > budget.limit / 2)) this.out.pause();
    else this.out.resume();
  }

  private async embed(content: PendingContent): Promise<void> {
    const bytes = content.chunks[0]!;
    let embedded: ImageEmbedding;
    try {
      embedded = await this.embedWaitingForRoom(bytes);
    } catch (error) {
      this.guard(() => this.failContent(content, error));
      return;
    } finally {
      this.freeChunks(content);
    }
    if (this.finished) return;
    this.guard(() => {
      const collection = this.collection!;
      const updates = content.entries.map((entry): "added" | "updated" => (collection.asset(entry.path) ? "updated" : "added"));
      collection.addContent(
        { sha256: content.sha256, size: content.size, width: embedded.width, height: embedded.height, embedding: embedded.embedding },
        content.entries,
      );
      this.summary.embedded++;
      this.bytesDone += content.size;
      content.entries.forEach((entry, i) => {
        this.summary[updates[i]!]++;
        this.done++;
        this.progress(entry.path);
      });
      if (this.deps.readText) {
        this.deps.readText(collection.name, content.sha256, bytes);
        this.summary.textQueued++;
      }
    });
  }

  private async embedWaitingForRoom(bytes: Uint8Array): Promise<ImageEmbedding> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.embedImage(bytes, this.abort.signal);
      } catch (error) {
        const wait = error instanceof Llm2ClipError && error.kind === "resource_exhausted" ? error.retryAfterMs : undefined;
        if (wait === undefined || attempt >= EMBED_ATTEMPTS) throw error;
        await sleep(wait, undefined, { signal: this.abort.signal });
      }
    }
  }

  private freeChunks(content: PendingContent): void {
    this.deps.budget.give(content.held);
    content.held = 0;
    content.chunks = [];
  }

  private failContent(content: PendingContent, error: unknown): void {
    content.failed = true;
    this.freeChunks(content);
    this.bytesDone += content.size;
    const stale = content.entries.map((entry) => entry.path).filter((path) => this.collection?.asset(path));
    if (stale.length > 0) this.collection!.applyPaths([], stale);
    for (const entry of content.entries) this.failEntry(entry, error);
  }

  private failEntry(entry: PlannedEntry, error: unknown): void {
    this.summary.failed++;
    this.done++;
    this.progress(entry.path, { code: this.deps.codeOf(error), message: error instanceof Error ? error.message : String(error) });
  }

  private progress(currentPath: string, error?: { code: number; message: string }): void {
    this.out.send({
      progress: { done: this.done, total: this.entries.length, bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, currentPath, error },
    });
  }

  private maybeFinish(): void {
    if (this.finished || !this.collection || this.inFlight > 0 || this.ready.length > 0) return;
    if (this.pending.size > 0 && !this.clientEnded) return;
    this.finished = true;
    this.summary.totalAssets = this.collection.assetCount;
    this.out.send({ summary: { ...this.summary } });
    this.out.end();
    this.deps.budget.close();
    this.release?.();
  }

  /** Runs a step; any error ends the stream with its status (what was acknowledged before stays committed). */
  private guard(step: () => void): void {
    if (this.finished) return;
    try {
      step();
    } catch (error) {
      this.finished = true;
      this.abort.abort();
      this.deps.budget.close();
      this.out.fail(error);
      this.release?.();
    }
  }
}
