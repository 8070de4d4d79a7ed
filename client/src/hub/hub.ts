// What a Hugging Face Hub holds for one repository at one revision: the commit it resolves to and its files with the
// hashes the Hub vouches for. Talks to the Hub through @huggingface/hub; turns its refusals into messages that say
// what to do (huggingface_hub's X-Error-Code values: GatedRepo, RepoNotFound, RevisionNotFound, EntryNotFound).
import { listFiles, modelInfo } from "@huggingface/hub";

export const DEFAULT_ENDPOINT = "https://huggingface.co";

export interface HubOptions {
  /** HF_ENDPOINT, without a trailing slash. */
  endpoint: string;
  /** HF_TOKEN, or the token `huggingface-cli login` stored. */
  token?: string;
  /** The HF cache (HF_HUB_CACHE, or $HF_HOME/hub). */
  cacheDir: string;
}

export interface HubFile {
  path: string;
  size: number;
  /** The Hub's ETag for the file: the sha256 of the content for LFS files, the git blob sha1 otherwise. */
  etag: string;
  lfs: boolean;
}

export interface Snapshot {
  repo: string;
  /** What the user asked for: a branch, a tag or a commit hash. */
  revision: string;
  commit: string;
  files: HubFile[];
}

/** Anything the Hub refused, or a file that does not match what the Hub vouches for. The message says what to do. */
export class HubError extends Error {}

const ETAG = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export async function resolveSnapshot(repo: string, revision: string, options: HubOptions): Promise<Snapshot> {
  const request = { hubUrl: options.endpoint, accessToken: options.token, fetch: hubFetch(repo, revision, options) };
  const info = await modelInfo({ ...request, name: repo, revision, additionalFields: ["sha"] });
  if (info.gated && !options.token) throw new HubError(gatedMessage(repo, options));
  if (!info.sha) throw new HubError(`${options.endpoint} gave no commit for ${repo} at ${revision}`);
  const files: HubFile[] = [];
  for await (const entry of listFiles({ ...request, repo, revision: info.sha, recursive: true })) {
    if (entry.type !== "file") continue;
    const etag = entry.lfs?.oid ?? entry.oid;
    if (!etag || !ETAG.test(etag)) throw new HubError(`${options.endpoint} lists ${repo}/${entry.path} without a sha256 or sha1 to check it against`);
    if (entry.path.startsWith("/") || entry.path.split("/").some((part) => part === "" || part === "." || part === "..")) {
      throw new HubError(`${options.endpoint} lists a file of ${repo} outside the repository: ${JSON.stringify(entry.path)}`);
    }
    files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, etag, lfs: entry.lfs !== undefined });
  }
  return { repo, revision, commit: info.sha, files };
}

/** A fetch for @huggingface/hub's calls that answers a refusal with a HubError saying what to do about it. */
export function hubFetch(repo: string, revision: string, options: HubOptions): typeof fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      throw new HubError(`cannot reach the Hub at ${options.endpoint} (HF_ENDPOINT): ${causeOf(error)}`);
    }
    if (response.ok) return response;
    const code = response.headers.get("x-error-code");
    const detail = response.headers.get("x-error-message") ?? (await response.text()).slice(0, 300);
    throw new HubError(refusalMessage(code, response.status, detail, repo, revision, options));
  };
}

function refusalMessage(code: string | null, status: number, detail: string, repo: string, revision: string, options: HubOptions): string {
  switch (code) {
    case "GatedRepo":
      return gatedMessage(repo, options);
    case "RevisionNotFound":
      return `revision ${JSON.stringify(revision)} does not exist in ${repo}: give a branch, a tag or a full commit hash of it (--revision)`;
    case "RepoNotFound":
      return `${repo} does not exist on ${options.endpoint}, or it is private and ${options.token ? "the token (HF_TOKEN) has no access to it" : "no token is set (HF_TOKEN)"}`;
    case "EntryNotFound":
      return `${repo} at ${revision} lacks a file it listed: ${detail}`;
  }
  if (status === 401) return `${options.endpoint} refused ${options.token ? "the token in HF_TOKEN" : "anonymous access"} to ${repo} (401): ${detail}`;
  return `${options.endpoint} answered ${status} for ${repo} at ${revision}: ${detail}`;
}

function gatedMessage(repo: string, options: HubOptions): string {
  const page = `${options.endpoint}/${repo}`;
  return options.token
    ? `${repo} is gated and the token in HF_TOKEN has no access to it: accept its conditions at ${page} with the account the token belongs to`
    : `${repo} is gated: accept its conditions at ${page}, then set HF_TOKEN to an access token of that account (${options.endpoint}/settings/tokens)`;
}

export function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
