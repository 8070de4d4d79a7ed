// A Hugging Face Hub on loopback, for `llm2clip model pull`: serves the repositories under a folder
// (<root>/<owner>/<name>/...) through the endpoints the Hub's clients use, with the Hub's headers:
// - GET /api/models/<repo>/revision/<rev>: the model info, with `sha` (the commit) and `gated`;
// - GET /api/models/<repo>/tree/<rev>?recursive=true: files with their git blob sha1 (`oid`) and, for LFS files
//   (*.safetensors, as the real repositories' .gitattributes say), `lfs.oid` (sha256) and `lfs.size`;
// - GET /<repo>/resolve/<rev>/<path>: X-Repo-Commit and ETag; LFS files answer 302 to a CDN path with X-Linked-Etag
//   and X-Linked-Size, as huggingface.co does; byte ranges (206 with Content-Range).
// Refusals carry X-Error-Code (RepoNotFound, RevisionNotFound, GatedRepo, EntryNotFound) and X-Error-Message.
// Faults for tests: a download cut after N bytes (once), a file served with one byte flipped, gated repositories.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

interface HubFileEntry {
  data: Buffer;
  sha1: string;
  sha256: string;
  lfs: boolean;
}

interface HubRepo {
  commit: string;
  files: Map<string, HubFileEntry>;
}

export interface HubRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

export class LoopbackHub {
  readonly requests: HubRequest[] = [];
  /** Repositories whose files need a token in `tokens`. */
  readonly gated = new Set<string>();
  readonly tokens = new Set<string>();
  /** "<repo>/<path>" → bytes after which the next body of that file is cut (then the entry is removed). */
  readonly cutOnce = new Map<string, number>();
  /** "<repo>/<path>" served with its middle byte flipped. */
  readonly corrupt = new Set<string>();
  private readonly repos = new Map<string, HubRepo>();
  private server!: http.Server;
  url = "";

  static async start(root: string): Promise<LoopbackHub> {
    const hub = new LoopbackHub();
    for (const owner of readdirSync(root)) {
      for (const name of readdirSync(path.join(root, owner))) hub.repos.set(`${owner}/${name}`, loadRepo(path.join(root, owner, name)));
    }
    hub.server = http.createServer((request, response) => hub.answer(request, response));
    await new Promise<void>((resolve) => hub.server.listen(0, "127.0.0.1", resolve));
    hub.url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
    return hub;
  }

  commitOf(repo: string): string {
    return this.repos.get(repo)!.commit;
  }

  sha256Of(repo: string, file: string): string {
    return this.repos.get(repo)!.files.get(file)!.sha256;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? "/", this.url);
    this.requests.push({ method: request.method ?? "", path: url.pathname, range: request.headers.range, authorization: request.headers.authorization });
    const token = request.headers.authorization?.replace(/^Bearer /, "");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === "cdn") return this.serveBytes(request, response, `${parts[1]}/${parts[2]}`, parts.slice(4).join("/"));
    if (parts[0] === "api" && parts[1] === "models") {
      const repoId = `${parts[2]}/${parts[3]}`;
      const repo = this.findRepo(repoId, token, response);
      if (!repo || !this.findRevision(repoId, repo, parts[5], response)) return;
      if (parts[4] === "revision") {
        return json(response, 200, {
          _id: createHash("sha1").update(repoId).digest("hex").slice(0, 24),
          id: repoId,
          sha: repo.commit,
          private: false,
          gated: this.gated.has(repoId) ? "manual" : false,
          downloads: 0,
          likes: 0,
          lastModified: "2024-11-20T00:00:00.000Z",
          pipeline_tag: "zero-shot-image-classification",
          siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
        });
      }
      if (parts[4] === "tree") {
        return json(
          response,
          200,
          [...repo.files].map(([file, entry]) => ({
            type: "file",
            oid: entry.sha1,
            size: entry.data.length,
            path: file,
            ...(entry.lfs ? { lfs: { oid: entry.sha256, size: entry.data.length, pointerSize: 134 } } : {}),
          })),
        );
      }
      return refuse(response, 404, "EntryNotFound", `no such API: ${url.pathname}`);
    }
    if (parts[2] === "resolve") {
      const repoId = `${parts[0]}/${parts[1]}`;
      const repo = this.findRepo(repoId, token, response);
      if (!repo || !this.findRevision(repoId, repo, parts[3], response)) return;
      if (this.gated.has(repoId) && !(token && this.tokens.has(token))) {
        return refuse(response, token ? 403 : 401, "GatedRepo", `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it.`);
      }
      const file = parts.slice(4).join("/");
      const entry = repo.files.get(file);
      if (!entry) return refuse(response, 404, "EntryNotFound", `${file} does not exist on "${parts[3]}"`);
      response.setHeader("X-Repo-Commit", repo.commit);
      if (!entry.lfs) return this.serveBytes(request, response, repoId, file);
      response.writeHead(302, {
        Location: `/cdn/${repoId}/${entry.sha256}/${file}`,
        ETag: `"${entry.sha1}"`,
        "X-Linked-Etag": `"${entry.sha256}"`,
        "X-Linked-Size": String(entry.data.length),
      });
      return void response.end();
    }
    refuse(response, 404, "RepoNotFound", `no route for ${url.pathname}`);
  }

  private findRepo(repoId: string, token: string | undefined, response: http.ServerResponse): HubRepo | undefined {
    const repo = this.repos.get(repoId);
    // As huggingface.co: anonymous callers get 401 for a repository that does not exist (it might be private).
    if (!repo) refuse(response, token ? 404 : 401, "RepoNotFound", "Repository not found");
    return repo;
  }

  private findRevision(repoId: string, repo: HubRepo, revision: string | undefined, response: http.ServerResponse): boolean {
    if (revision === "main" || revision === "HEAD" || revision === repo.commit) return true;
    refuse(response, 404, "RevisionNotFound", `Invalid rev id: ${revision} (${repoId})`);
    return false;
  }

  private serveBytes(request: http.IncomingMessage, response: http.ServerResponse, repoId: string, file: string): void {
    const entry = this.repos.get(repoId)?.files.get(file);
    if (!entry) return refuse(response, 404, "EntryNotFound", `${file} not found`);
    let data = entry.data;
    if (this.corrupt.has(`${repoId}/${file}`)) {
      data = Buffer.from(data);
      data[data.length >> 1] ^= 0xff;
    }
    const headers = { ETag: `"${entry.lfs ? entry.sha256 : entry.sha1}"`, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" };
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    let start = 0;
    let end = data.length - 1;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
      response.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${data.length}`, "Content-Length": end - start + 1 });
    } else {
      response.writeHead(200, { ...headers, "Content-Length": data.length });
    }
    const body = data.subarray(start, end + 1);
    const cut = this.cutOnce.get(`${repoId}/${file}`);
    if (cut !== undefined && body.length > 1) {
      this.cutOnce.delete(`${repoId}/${file}`);
      response.write(body.subarray(0, cut), () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    response.end(body);
  }
}

function loadRepo(folder: string): HubRepo {
  const files = new Map<string, HubFileEntry>();
  const lfsPatterns = readFileSync(path.join(folder, ".gitattributes"), "utf8").includes("*.safetensors filter=lfs") ? /\.safetensors$/ : /$^/;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(folder, full).split(path.sep).join("/");
    const data = readFileSync(full);
    files.set(relative, {
      data,
      sha1: createHash("sha1").update(`blob ${statSync(full).size}\0`).update(data).digest("hex"),
      sha256: createHash("sha256").update(data).digest("hex"),
      lfs: lfsPatterns.test(relative),
    });
  }
  const commit = createHash("sha1").update([...files].map(([file, entry]) => `${file} ${entry.sha1}`).sort().join("\n")).digest("hex");
  return { commit, files };
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

function refuse(response: http.ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { "Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message });
  response.end(JSON.stringify({ error: message }));
}
