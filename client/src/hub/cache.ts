// The standard Hugging Face cache layout (huggingface_hub's, which transformers and huggingface-cli share), so a file
// any of them fetched is reused and a file fetched here is theirs too:
//   <cache>/models--<owner>--<name>/blobs/<etag>                 the content, named by its ETag (sha256 for LFS files)
//   <cache>/models--<owner>--<name>/snapshots/<commit>/<path>    a relative symlink to the blob
//   <cache>/models--<owner>--<name>/refs/<branch or tag>         the commit it resolved to
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HubFile, Snapshot } from "./hub";

const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
export function hubCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  return path.join(hfHome(env), "hub");
}

export function hfHome(env: NodeJS.ProcessEnv): string {
  return env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "huggingface");
}

export function repoFolder(cacheDir: string, repo: string): string {
  return path.join(cacheDir, ["models", ...repo.split("/")].join("--"));
}

export function blobPath(cacheDir: string, snapshot: Snapshot, file: HubFile): string {
  return path.join(repoFolder(cacheDir, snapshot.repo), "blobs", file.etag);
}

export function snapshotFolder(cacheDir: string, snapshot: Snapshot): string {
  return path.join(repoFolder(cacheDir, snapshot.repo), "snapshots", snapshot.commit);
}

/** Points snapshots/<commit>/<path> at the blob, and refs/<revision> at the commit. */
export function linkIntoSnapshot(cacheDir: string, snapshot: Snapshot, file: HubFile): void {
  const pointer = path.join(snapshotFolder(cacheDir, snapshot), file.path);
  mkdirSync(path.dirname(pointer), { recursive: true });
  rmSync(pointer, { force: true });
  symlinkSync(path.relative(path.dirname(pointer), blobPath(cacheDir, snapshot, file)), pointer);
  if (!COMMIT_HASH.test(snapshot.revision)) {
    const ref = path.join(repoFolder(cacheDir, snapshot.repo), "refs", snapshot.revision);
    mkdirSync(path.dirname(ref), { recursive: true });
    writeFileSync(ref, snapshot.commit);
  }
}
