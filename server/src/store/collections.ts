import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Llm2ClipError } from "../errors";
import type { MatrixScan } from "./scan";
import { Collection, openDatabase, type ModelStamp } from "./collection";
import { validateCollectionName } from "./names";

const EXTENSION = ".sqlite";

export interface CollectionSummary {
  name: string;
  assetCount: number;
  totalBytes: number;
  updatedMs: number;
  model: string;
  /** Contents whose text has been read (OCR). */
  textsRead: number;
}

/** The collections under one folder, one SQLite database each, opened on first use and kept open. */
export class CollectionRegistry {
  private readonly open = new Map<string, Collection>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    readonly served: ModelStamp,
    private readonly scan?: MatrixScan,
  ) {}

  /** An existing collection; NOT_FOUND naming `field` otherwise. */
  get(name: string, field: string): Collection {
    validateCollectionName(name, field);
    const collection = this.open.get(name) ?? (this.stored(name) ? this.openFile(name) : undefined);
    if (!collection) throw new Llm2ClipError("not_found", `${field}: collection '${name}' does not exist`, field);
    return collection;
  }

  getOrCreate(name: string, field: string): Collection {
    validateCollectionName(name, field);
    const existing = this.open.get(name);
    if (existing) return existing;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      throw new Llm2ClipError("failed_precondition", `collection '${name}': cannot create the collections folder (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    const existed = existsSync(this.file(name));
    try {
      return this.openFile(name);
    } catch (error) {
      // A create that failed (a full disk) leaves nothing behind that a restart would take for an empty collection.
      if (!existed) this.removeFiles(name);
      throw error;
    }
  }

  /** The collections that can be opened; one that cannot (damaged, or unreadable now) does not hide the others. */
  list(): CollectionSummary[] {
    const names = existsSync(this.dir)
      ? readdirSync(this.dir)
          .filter((file) => file.endsWith(EXTENSION))
          .map((file) => file.slice(0, -EXTENSION.length))
      : [];
    return names.sort().flatMap((name) => {
      let collection: Collection | undefined;
      try {
        collection = this.get(name, "name");
      } catch {
        return [];
      }
      return [{
        name,
        assetCount: collection.assetCount,
        totalBytes: collection.totalBytes,
        textsRead: collection.textsRead,
        updatedMs: collection.updatedMs,
        model: collection.modelStamp.name,
      }];
    });
  }

  /** Deletes the database and its WAL; false when there was no such collection. Waits for a running sync to finish. */
  delete(name: string, field: string): Promise<boolean> {
    validateCollectionName(name, field);
    return this.exclusive(name, async () => {
      this.open.get(name)?.close();
      this.open.delete(name);
      const existed = existsSync(this.file(name));
      try {
        this.removeFiles(name);
      } catch (error) {
        throw new Llm2ClipError("failed_precondition", `collection '${name}': its database cannot be deleted (${(error as NodeJS.ErrnoException).code ?? "error"}); the collections folder may be read-only`);
      }
      return existed;
    });
  }

  /** Runs `fn` once every earlier exclusive task on the same collection has finished (syncs and deletes don't interleave). */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return next;
  }

  closeAll(): void {
    for (const collection of this.open.values()) collection.close();
    this.open.clear();
  }

  private file(name: string): string {
    return join(this.dir, name + EXTENSION);
  }

  /** A 0-byte file is no collection: SQLite writes the schema before a create is acknowledged. */
  private stored(name: string): boolean {
    try {
      return statSync(this.file(name)).size > 0;
    } catch {
      return false;
    }
  }

  private removeFiles(name: string): void {
    const file = this.file(name);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) rmSync(path, { force: true });
  }

  private openFile(name: string): Collection {
    const collection = new Collection(name, () => openDatabase(this.file(name)), this.served, this.scan);
    this.open.set(name, collection);
    return collection;
  }
}
