// What the status-bar item says, from the connection and index states. Pure, for the unit tests.
import type { ConnectionState } from "../connection/connection";
import { combinedProgress, progressText, type IndexProgress } from "../indexing/index-progress";
import type { IndexPhase } from "../indexing/indexer";

export interface FolderSummary {
  name: string;
  phase: IndexPhase;
  progress: IndexProgress;
  assets: number;
  error?: string;
}

export interface StatusText {
  text: string;
  tooltip: string;
  warning: boolean;
}

export function statusText(connection: ConnectionState, folders: readonly FolderSummary[]): StatusText {
  switch (connection.kind) {
    case "misconfigured":
      return { text: "$(error) LLM2CLIP", tooltip: connection.reason, warning: true };
    case "connecting":
      return { text: "$(sync~spin) LLM2CLIP", tooltip: `Connecting to ${connection.target}…`, warning: false };
    case "unreachable":
      return { text: "$(debug-disconnect) LLM2CLIP: offline", tooltip: `Cannot reach the daemon at ${connection.target} (${connection.reason}). Click for actions.`, warning: true };
    case "connected": {
      const { model } = connection;
      const device = model.device.toUpperCase();
      const lines = [`Daemon: ${connection.target}`, `Model: ${model.name} (D=${model.embedDim}, ${model.precision})`, `Device: ${device}`];
      lines.push(...folders.map((f) => `${f.name}: ${describeFolder(f)}`));
      const indexing = combinedProgress(folders.filter((f) => f.phase === "indexing").map((f) => f.progress));
      const failed = folders.some((f) => f.phase === "failed");
      const assets = folders.reduce((sum, f) => sum + f.assets, 0);
      const text = indexing
        ? `$(sync~spin) LLM2CLIP: ${progressText(indexing)}`
        : failed
          ? `$(warning) LLM2CLIP: indexing failed`
          : folders.some((f) => f.phase === "indexed")
            ? `$(check) LLM2CLIP: ${assets} images · ${device}`
            : `$(plug) LLM2CLIP · ${device}`;
      return { text, tooltip: lines.join("\n"), warning: failed };
    }
  }
}

function describeFolder(folder: FolderSummary): string {
  switch (folder.phase) {
    case "pending":
      return "not indexed";
    case "indexing":
      return `indexing, ${progressText(folder.progress)}`;
    case "indexed":
      return `${folder.assets} images indexed`;
    case "cancelled":
      return "indexing cancelled";
    case "failed":
      return `indexing failed: ${folder.error ?? "unknown error"}`;
  }
}
