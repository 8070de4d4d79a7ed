// Where the local llm2clipd lives and how it is started. Pure, so that the lookup order is testable.
import * as path from "node:path";

export interface DaemonCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the log. */
  source: "setting" | "repository" | "PATH";
}

export interface DaemonLookup {
  /** The `llm2clip.daemon.path` setting. */
  setting: string;
  extensionPath: string;
  /** The Node binary that runs a `.js` daemon: the extension host's own. */
  nodePath: string;
  exists: (file: string) => boolean;
}

/** The setting first, then the daemon built in the repository the extension runs from, then `llm2clipd` on PATH. */
export function resolveDaemonCommand(lookup: DaemonLookup): DaemonCommand {
  if (lookup.setting.trim() !== "") return forFile(lookup.setting.trim(), lookup.nodePath, "setting");
  const repositoryDaemon = path.join(lookup.extensionPath, "..", "server", "dist", "llm2clipd.js");
  if (lookup.exists(repositoryDaemon)) return forFile(repositoryDaemon, lookup.nodePath, "repository");
  return { command: "llm2clipd", args: [], source: "PATH" };
}

function forFile(file: string, nodePath: string, source: DaemonCommand["source"]): DaemonCommand {
  return /\.[cm]?js$/.test(file) ? { command: nodePath, args: [file], source } : { command: file, args: [], source };
}

/** llm2clipd's flags for a daemon that serves `target` with `model` (empty: its embedded model). */
export function daemonArguments(target: string, model: string, extra: readonly string[]): string[] {
  return ["--listen", target, ...(model.trim() ? ["--model", model.trim()] : []), ...extra];
}
