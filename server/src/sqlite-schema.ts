// Versioned SQLite schemas with forward migrations, in one place per schema (as rclip keeps its database's). Each
// schema is a list of steps, step i taking version i to i + 1; a file records its version in `schema_versions`, one
// row per schema, since the text-feature cache and the file digests share one file. Opening a file runs the steps it
// lacks in one transaction: a crash mid-upgrade leaves the old version intact. A file from a newer build is refused
// rather than misread.
import type Database from "better-sqlite3";
import { Llm2ClipError } from "./errors";

export interface SqliteSchema {
  /** Its row in `schema_versions`, and its name in errors. */
  name: string;
  /** steps[i] takes the schema from version i (0: nothing) to version i + 1. */
  steps: readonly ((db: Database.Database) => void)[];
  /** The version of a file written before versions were recorded: found by its tables; 0 when it has none. */
  unrecordedVersion(db: Database.Database): number;
}

export function schemaVersion(schema: SqliteSchema): number {
  return schema.steps.length;
}

export function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

function recordedVersion(db: Database.Database, schema: SqliteSchema): number | undefined {
  if (!hasTable(db, "schema_versions")) return undefined;
  return db.prepare<[string], { version: number }>("SELECT version FROM schema_versions WHERE schema = ?").get(schema.name)?.version;
}

/**
 * Brings `db` to the schema's latest version; returns the version the file had. `file` names it in errors. A file
 * already at the latest version is only read, so a read-only connection opens it.
 */
export function migrate(db: Database.Database, schema: SqliteSchema, file: string): number {
  const latest = schemaVersion(schema);
  if (recordedVersion(db, schema) === latest) return latest;
  return db
    .transaction(() => {
      const found = recordedVersion(db, schema) ?? schema.unrecordedVersion(db);
      if (found > latest) {
        throw new Llm2ClipError("failed_precondition", `${file}: ${schema.name} schema version ${found} is newer than this build's (${latest}); upgrade llm2clipd`);
      }
      db.exec("CREATE TABLE IF NOT EXISTS schema_versions (schema TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      for (let version = found; version < latest; version++) schema.steps[version]!(db);
      db.prepare("INSERT OR REPLACE INTO schema_versions (schema, version) VALUES (?, ?)").run(schema.name, latest);
      return found;
    })
    .immediate();
}
