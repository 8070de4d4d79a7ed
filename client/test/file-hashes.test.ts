import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { FileHashes } from "../src";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "file-hashes-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("reads a file again only when its size or mtime changed", async () => {
  const file = path.join(dir, "a.txt");
  writeFileSync(file, "red\n");
  const hashes = new FileHashes();
  const first = await hashes.hash(file);
  expect(first).toEqual({ size: 4, mtimeMs: Math.round(statSync(file).mtimeMs), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

  // Same size, same mtime: the remembered digest, although the bytes differ (as make and rsync would judge it).
  const { atime, mtime } = statSync(file);
  writeFileSync(file, "blu\n");
  utimesSync(file, atime, mtime);
  expect((await hashes.hash(file)).sha256).toBe(first.sha256);

  utimesSync(file, atime, new Date(mtime.getTime() + 2000));
  const touched = await hashes.hash(file);
  expect(touched.sha256).not.toBe(first.sha256);
  expect(await new FileHashes().hash(file)).toEqual(touched);

  writeFileSync(file, "green\n");
  expect((await hashes.hash(file)).size).toBe(6);
});
