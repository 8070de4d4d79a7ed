// `llm2clip model pull [<vision repo>] [--llm <repo>] [--revision R] [--llm-revision R] [--out DIR] [--fp16]`:
// fetches an LLM2CLIP checkpoint pair from a Hugging Face Hub into the standard HF cache, checks every file against
// the Hub's hashes, and exports the model folder llm2clipd --model serves. The cheap checks come first: the revisions,
// access to gated repositories, the configs against the architectures the exporter implements (which also proves Python
// and torch are there) and the free disk space, all before the multi-gigabyte weights.
import { readFileSync, statfsSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { blobPath, hfHome, hubCacheDir, snapshotFolder } from "../../hub/cache";
import { fetchIntoCache } from "../../hub/download";
import { DEFAULT_ENDPOINT, HubError, resolveSnapshot, type HubFile, type HubOptions, type Snapshot } from "../../hub/hub";
import { findModelsDir, runExporter, type Exporter } from "../../model/exporter";
import { EXIT_OK, UsageError, formatBytes, type Io } from "../io";

export const DEFAULT_VISION_REPO = "microsoft/LLM2CLIP-Openai-L-14-336";
export const DEFAULT_LLM_REPO = "microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned";

const REPO_ID = /^[\w.-]+\/[\w.-]+$/;
/** What the exporter reads: configs, tokenizer files, the safetensors index, and the weights. */
const NEEDED = /(^|\/)[^/]+\.(json|safetensors)$/;

export interface ModelPullOptions {
  llm?: string;
  revision?: string;
  llmRevision?: string;
  out?: string;
  fp16: boolean;
}

export async function modelPullCommand(io: Io, args: string[], options: ModelPullOptions, env: NodeJS.ProcessEnv): Promise<number> {
  if (args.length > 1) throw new UsageError(`model pull takes one repository id (the vision checkpoint), not ${args.length}`);
  const visionRepo = args[0] ?? DEFAULT_VISION_REPO;
  const llmRepo = options.llm ?? DEFAULT_LLM_REPO;
  for (const repo of [visionRepo, llmRepo]) {
    if (!REPO_ID.test(repo)) throw new UsageError(`a repository id is <owner>/<name>, not ${JSON.stringify(repo)}`);
  }
  const modelsDir = findModelsDir(__dirname);
  if (!modelsDir) {
    throw new UsageError("model pull runs the Python exporter in models/llm2clip of the llm2clip repository: run this CLI from a checkout of it");
  }
  const exporter: Exporter = { python: env.LLM2CLIP_PYTHON || "python3", modelsDir };
  const hub: HubOptions = { endpoint: (env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, ""), token: hubToken(env), cacheDir: hubCacheDir(env) };
  const out = path.resolve(io.cwd, options.out ?? `${baseName(visionRepo)}+${baseName(llmRepo)}`);
  const say = (line: string) => io.stderr.write(`${line}\n`);

  const snapshots: Snapshot[] = [];
  for (const [repo, revision] of [[visionRepo, options.revision ?? "main"], [llmRepo, options.llmRevision ?? "main"]] as const) {
    const snapshot = await resolveSnapshot(repo, revision, hub);
    snapshot.files = snapshot.files.filter((file) => NEEDED.test(file.path));
    if (!snapshot.files.some((file) => file.path.endsWith(".safetensors"))) {
      throw new HubError(`${repo} at ${revision} has no .safetensors weights; the exporter reads safetensors only`);
    }
    say(`${repo}: ${revision} is commit ${snapshot.commit}, ${snapshot.files.length} files to use, ${formatBytes(total(snapshot.files))}`);
    snapshots.push(snapshot);
  }
  const [vision, llm] = snapshots;

  await fetchAll(snapshots, (file) => !file.path.endsWith(".safetensors"), hub, say);
  const configs = snapshots.map((snapshot) => path.join(snapshotFolder(hub.cacheDir, snapshot), "config.json"));
  const missing = snapshots.filter((_, i) => !existsSync(configs[i]));
  if (missing.length > 0) throw new HubError(`${missing.map((s) => s.repo).join(" and ")} has no config.json; it is not a transformers checkpoint the exporter knows`);
  await runExporter(exporter, ["check-config", "--vision", configs[0], "--llm", configs[1]], say);

  ensureFreeSpace(hub.cacheDir, bytesToFetch(snapshots, hub), "the download", "set HF_HUB_CACHE to a larger disk");
  await fetchAll(snapshots, (file) => file.path.endsWith(".safetensors"), hub, say);

  mkdirSync(out, { recursive: true });
  say(`exporting to ${out} (see models/README.md for the time and memory the 8B pair needs)`);
  const name = `${baseName(visionRepo)}+${baseName(llmRepo)}`.toLowerCase();
  const exportArgs = ["hf", "--vision", snapshotFolder(hub.cacheDir, vision), "--llm", snapshotFolder(hub.cacheDir, llm), "--out", out, "--name", name];
  await runExporter(exporter, options.fp16 ? [...exportArgs, "--fp16"] : exportArgs, say);
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { name: string };
  io.stdout.write(`${out}\n`);
  say(`wrote ${manifest.name} from ${vision.repo}@${vision.commit.slice(0, 12)} and ${llm.repo}@${llm.commit.slice(0, 12)}; serve it with: llm2clipd --model ${out}`);
  return EXIT_OK;
}

async function fetchAll(snapshots: Snapshot[], which: (file: HubFile) => boolean, hub: HubOptions, say: (line: string) => void): Promise<void> {
  for (const snapshot of snapshots) {
    for (const file of snapshot.files.filter(which)) {
      const outcome = await fetchIntoCache(snapshot, file, hub);
      const how = outcome.kind === "cached" ? "in the cache" : outcome.resumedAt > 0 ? `resumed at ${formatBytes(outcome.resumedAt)}` : "downloaded";
      say(`${snapshot.repo}: ${file.path} ${formatBytes(file.size)} ${how}, ${file.lfs ? "sha256" : "git sha1"} ok`);
    }
  }
}

function bytesToFetch(snapshots: Snapshot[], hub: HubOptions): number {
  let bytes = 0;
  for (const snapshot of snapshots) {
    for (const file of snapshot.files) {
      const blob = blobPath(hub.cacheDir, snapshot, file);
      if (existsSync(blob)) continue;
      bytes += file.size - (existsSync(`${blob}.incomplete`) ? Math.min(file.size, statSync(`${blob}.incomplete`).size) : 0);
    }
  }
  return bytes;
}

function ensureFreeSpace(dir: string, bytes: number, what: string, remedy: string): void {
  mkdirSync(dir, { recursive: true });
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  if (bytes > free) {
    throw new HubError(`not enough disk space for ${what}: ${dir} has ${formatBytes(free)} free and ${formatBytes(bytes)} more are needed; free space or ${remedy}`);
  }
}

/** HF_TOKEN, else the token file `huggingface-cli login` writes (HF_TOKEN_PATH, or $HF_HOME/token). */
function hubToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HF_TOKEN) return env.HF_TOKEN.trim();
  const file = env.HF_TOKEN_PATH ?? path.join(hfHome(env), "token");
  return existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined;
}

function total(files: HubFile[]): number {
  return files.reduce((sum, file) => sum + file.size, 0);
}

function baseName(repo: string): string {
  return repo.split("/")[1];
}
