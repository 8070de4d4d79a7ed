// SHA-256 of files, remembered by size and mtime as make and rsync judge files: a file whose size and mtime have
// not changed is not read again.
import { stat } from "node:fs/promises";
import { sha256File } from "./files";

export interface HashedFile {
  size: number;
  /** Whole milliseconds, as a SyncAssets manifest entry carries them. */
  mtimeMs: number;
  sha256: string;
}

export class FileHashes {
  private readonly known = new Map<string, HashedFile>();

  async hash(file: string): Promise<HashedFile> {
    const info = await stat(file);
    const mtimeMs = Math.round(info.mtimeMs);
    const known = this.known.get(file);
    if (known && known.size === info.size && known.mtimeMs === mtimeMs) return known;
    const hashed = { size: info.size, mtimeMs, sha256: await sha256File(file) };
    this.known.set(file, hashed);
    return hashed;
  }
}
