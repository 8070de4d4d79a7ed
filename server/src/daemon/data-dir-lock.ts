// One daemon per --data-dir. Two daemons on one folder each trust their own view of the collections and lose each
// other's acknowledged writes, so the second one refuses to start.
//
// The lock is a kernel lock: SQLite's exclusive locking mode holds a POSIX fcntl lock on `llm2clipd.lock` for as long
// as the connection is open, and the kernel drops it when the process dies, kill -9 included, so a stale lock cannot
// outlive its owner. The owner's pid goes into `llm2clipd.pid` beside it, only to tell a refused daemon whom to look for.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export const LOCK_FILE = "llm2clipd.lock";
export const PID_FILE = "llm2clipd.pid";

export interface DataDirLock {
  release(): void;
}

export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
}

/** Takes `dir`'s lock or throws DataDirInUseError naming the owner's pid. */
export function lockDataDir(dir: string): DataDirLock {
  const db = new Database(path.join(dir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    // The first write takes the exclusive lock, and locking_mode = EXCLUSIVE keeps it after the commit.
    db.exec("CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner;");
    db.prepare("INSERT INTO owner (pid) VALUES (?)").run(process.pid);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
    throw new DataDirInUseError(`--data-dir ${dir} is in use by another llm2clipd (${ownerOf(dir)}); stop it, or give this one another --data-dir`);
  }
  writeFileSync(path.join(dir, PID_FILE), `${process.pid}\n`);
  return { release: () => db.close() };
}

function ownerOf(dir: string): string {
  try {
    const pid = readFileSync(path.join(dir, PID_FILE), "utf8").trim();
    return /^\d+$/.test(pid) ? `pid ${pid}` : "pid unknown";
  } catch {
    return "pid unknown";
  }
}
