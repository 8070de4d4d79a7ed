// Fetches one file of a snapshot into the HF cache: resumes a `.incomplete` blob left by an interrupted run (as
// huggingface_hub names it), and accepts the bytes only when they hash to the Hub's ETag: the sha256 of the content for
// LFS files, git's blob sha1 ("blob <size>\0" + content) for the others.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, truncateSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { downloadFile } from "@huggingface/hub";
import { blobPath, linkIntoSnapshot } from "./cache";
import { HubError, causeOf, hubFetch, type HubFile, type HubOptions, type Snapshot } from "./hub";

export type FetchOutcome = { kind: "cached" } | { kind: "downloaded"; resumedAt: number };

export async function fetchIntoCache(snapshot: Snapshot, file: HubFile, options: HubOptions): Promise<FetchOutcome> {
  const blob = blobPath(options.cacheDir, snapshot, file);
  const name = `${snapshot.repo}/${file.path}`;
  if (existsSync(blob)) {
    const found = await fileDigest(blob, file);
    if (found !== file.etag) {
      throw new HubError(`the cached ${name} (${blob}) hashes to ${found}, not the Hub's ${file.etag}: delete that file and run again`);
    }
    linkIntoSnapshot(options.cacheDir, snapshot, file);
    return { kind: "cached" };
  }
  mkdirSync(path.dirname(blob), { recursive: true });
  const incomplete = `${blob}.incomplete`;
  let resumedAt = existsSync(incomplete) ? statSync(incomplete).size : 0;
  if (resumedAt > file.size) {
    truncateSync(incomplete, 0);
    resumedAt = 0;
  }
  if (resumedAt < file.size) await appendRemainder(snapshot, file, options, incomplete, resumedAt);
  const found = await fileDigest(incomplete, file);
  if (found !== file.etag) {
    rmSync(incomplete, { force: true });
    throw new HubError(
      `${name} was refused: its bytes hash to ${found}, the Hub vouches for ${file.etag} (${file.lfs ? "sha256" : "git blob sha1"}). ` +
        "The download was discarded; run again, and if it repeats, something between you and the Hub alters the file",
    );
  }
  renameSync(incomplete, blob);
  linkIntoSnapshot(options.cacheDir, snapshot, file);
  return { kind: "downloaded", resumedAt };
}

async function appendRemainder(snapshot: Snapshot, file: HubFile, options: HubOptions, incomplete: string, from: number): Promise<void> {
  const remote = await downloadFile({
    repo: snapshot.repo,
    path: file.path,
    revision: snapshot.commit,
    hubUrl: options.endpoint,
    accessToken: options.token,
    fetch: hubFetch(snapshot.repo, snapshot.commit, options),
    xet: false,
  });
  if (!remote) throw new HubError(`${snapshot.repo} at ${snapshot.commit} has no ${file.path}, though it listed it`);
  if (remote.size !== file.size) throw new HubError(`${snapshot.repo}/${file.path} is ${remote.size} bytes on the Hub's CDN, ${file.size} in its listing`);
  try {
    await pipeline(Readable.fromWeb(remote.slice(from).stream() as ReadableStream), createWriteStream(incomplete, { flags: "a" }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOSPC") {
      throw new HubError(`disk full while writing ${incomplete}: free space (or set HF_HUB_CACHE to a larger disk) and run again; the ${statSync(incomplete).size} bytes fetched so far are kept and the download resumes`);
    }
    if (error instanceof HubError) throw error;
    const have = existsSync(incomplete) ? statSync(incomplete).size : from;
    throw new HubError(`the download of ${snapshot.repo}/${file.path} stopped at ${have} of ${file.size} bytes (${causeOf(error)}); run the same command again to resume it`);
  }
}

async function fileDigest(file: string, expected: HubFile): Promise<string> {
  const hash = createHash(expected.lfs ? "sha256" : "sha1");
  if (!expected.lfs) hash.update(`blob ${statSync(file).size}\0`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
