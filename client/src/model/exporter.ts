// Runs the repository's Python exporter (models/llm2clip) and turns its failures into what to do: a missing Python or
// torch, a config it does not implement, a full disk.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const INSTALL_HINT =
  "install Python 3 with torch (1.13 or later), onnx and numpy: on Debian/Ubuntu `apt-get install python3-torch python3-onnx python3-numpy python3-pil libopenblas0-pthread`, " +
  "elsewhere `pip install torch onnx numpy pillow`; then point LLM2CLIP_PYTHON at that python if it is not the first python3 on PATH";

/** The exporter's exit status for a config.json it does not implement (llm2clip/export.py check-config). */
const CONFIG_MISMATCH = 3;

export class ExportError extends Error {}

export interface Exporter {
  python: string;
  /** The repository's models/ folder, the exporter's package root. */
  modelsDir: string;
}

/** models/ of the checkout this CLI runs from: the first ancestor of `from` that holds models/llm2clip/export.py. */
export function findModelsDir(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "models", "llm2clip", "export.py"))) return path.join(dir, "models");
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Runs `python -m llm2clip.export <args>` in models/, passing its output lines to `log` as they come; resolves with
 * its stdout. Rejects with an ExportError that says what to do.
 */
export function runExporter(exporter: Exporter, args: readonly string[], log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(exporter.python, ["-m", "llm2clip.export", ...args], {
      cwd: exporter.modelsDir,
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      for (const line of chunk.split("\n")) if (line) log(line);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(new ExportError(error.code === "ENOENT" ? `no Python at ${JSON.stringify(exporter.python)}: the export needs one; ${INSTALL_HINT}` : error.message));
    });
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new ExportError(failureMessage(exporter, code, stderr)));
    });
  });
}

function failureMessage(exporter: Exporter, code: number | null, stderr: string): string {
  const missing = /No module named '([\w.]+)'/.exec(stderr);
  if (missing) return `${exporter.python} lacks the Python module ${missing[1]}, which the export needs: ${INSTALL_HINT}`;
  if (code === CONFIG_MISMATCH) return stderr.trim();
  if (/No space left on device|\[Errno 28\]/.test(stderr)) {
    return "disk full during the export: the output folder (--out) needs room for the ONNX graphs (models/README.md: about 100 GB free for the 8B pair with --fp16); free space or choose another --out, then run again (the downloads are kept)";
  }
  const tail = stderr.trim().split("\n").filter((line) => !/Warning|warn\(|^\s/.test(line)).slice(-4).join("\n");
  return `the exporter (${exporter.python} -m llm2clip.export) failed with exit status ${code}:\n${tail}`;
}
