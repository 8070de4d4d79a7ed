// Reads the text of synced images in the background, behind the embeddings: a sync hands over a content's bytes
// once the content is stored and acknowledged, the bytes wait in a spool folder on disk (so a restart resumes the
// queue), and one worker reads them one at a time and stores the lines in the content's collection. A content is read
// once: re-syncing unchanged files sends no bytes, so queues nothing.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Llm2ClipError } from "../errors";
import { searchableLines } from "../search/text-match";
import type { ContentText } from "../store/collection";
import type { CollectionRegistry } from "../store/collections";
import { decodeForOcr } from "./decode";
import type { OcrEngine } from "./engine";
import { type OcrSelection, readEveryImage } from "./text-likeness";

export interface TextIndexerLog {
  info(message: string): void;
  warn(message: string): void;
}

interface Job {
  collection: string;
  sha256: string;
  file: string;
}

export class TextIndexer {
  private readonly queue: Job[] = [];
  private readonly pendingByCollection = new Map<string, number>();
  /** `collection/sha256` of every job not finished, spooled or still being written. */
  private readonly queued = new Set<string>();
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly engine: OcrEngine,
    private readonly registry: CollectionRegistry,
    private readonly spoolDir: string,
    private readonly maxImagePixels: number,
    private readonly log: TextIndexerLog,
    private readonly selection: OcrSelection = readEveryImage,
  ) {}

  /** Queues what a previous run left in the spool. */
  resume(): void {
    mkdirSync(this.spoolDir, { recursive: true });
    for (const collection of readdirSync(this.spoolDir)) {
      for (const name of readdirSync(path.join(this.spoolDir, collection))) {
        const file = path.join(this.spoolDir, collection, name);
        if (name.endsWith(".part")) rmSync(file, { force: true });
        else this.push({ collection, sha256: name, file });
      }
    }
    if (this.queue.length > 0) this.log.info(`OCR: resuming ${this.queue.length} queued image(s)`);
  }

  /** Queues a stored content's bytes for reading. The write to the spool happens off the caller's path. */
  enqueue(collection: string, sha256: string, bytes: Uint8Array): void {
    if (this.stopped) return;
    const dir = path.join(this.spoolDir, collection);
    const file = path.join(dir, sha256);
    const job = { collection, sha256, file };
    this.count(collection, 1);
    this.queued.add(`${collection}/${sha256}`);
    void (async () => {
      mkdirSync(dir, { recursive: true });
      await writeFile(`${file}.part`, bytes);
      await rename(`${file}.part`, file);
    })().then(
      () => {
        this.count(collection, -1);
        this.push(job);
      },
      (error: Error) => {
        this.count(collection, -1);
        this.queued.delete(`${collection}/${sha256}`);
        this.log.warn(`OCR: cannot queue ${sha256} of '${collection}': ${error.message}`);
      },
    );
  }

  isQueued(collection: string, sha256: string): boolean {
    return this.queued.has(`${collection}/${sha256}`);
  }

  pending(collection: string): number {
    return this.pendingByCollection.get(collection) ?? 0;
  }

  /** Resolves when the queue is empty (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
    while (this.running || this.pendingByCollection.size > 0) {
      await (this.running ?? new Promise((resolve) => setTimeout(resolve, 10)));
    }
  }

  /** Finishes the image being read, then stops; what is still queued stays in the spool for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private push(job: Job): void {
    this.queue.push(job);
    this.queued.add(`${job.collection}/${job.sha256}`);
    this.count(job.collection, 1);
    this.running ??= this.work().finally(() => {
      this.running = undefined;
    });
  }

  private count(collection: string, delta: number): void {
    const next = (this.pendingByCollection.get(collection) ?? 0) + delta;
    if (next === 0) this.pendingByCollection.delete(collection);
    else this.pendingByCollection.set(collection, next);
  }

  private async work(): Promise<void> {
    while (!this.stopped && this.queue.length > 0) {
      const job = this.queue.shift()!;
      try {
        await this.read(job);
      } catch (error) {
        this.log.warn(`OCR: ${job.sha256} of '${job.collection}': ${(error as Error).message}`);
      } finally {
        this.count(job.collection, -1);
        this.queued.delete(`${job.collection}/${job.sha256}`);
      }
      await rm(job.file, { force: true });
    }
  }

  private async read(job: Job): Promise<void> {
    let text: ContentText;
    try {
      const image = await decodeForOcr(await readFile(job.file), this.maxImagePixels);
      // --ocr auto: an image that does not look like a screenshot or a diagram stays unread (GetAssetText: NOT_READ).
      if (!this.selection(image)) return;
      text = { lines: await this.engine.read(image) };
    } catch (error) {
      // A refused image (too large, undecodable) is recorded as such, so that it is not read again.
      if (!(error instanceof Llm2ClipError) || error.kind !== "invalid_argument") throw error;
      text = { lines: [], error: error.message };
    }
    let collection;
    try {
      collection = this.registry.get(job.collection, "collection");
    } catch {
      return; // deleted meanwhile
    }
    collection.recordText(job.sha256, text, searchableLines(text.lines));
  }
}
