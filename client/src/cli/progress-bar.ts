import type { SyncProgress } from "@llm2clip/proto";
import { formatBytes } from "./io";

const WIDTH = 24;

/** A one-line progress bar redrawn in place; only used when stderr is a terminal. */
export class ProgressBar {
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WritableStream & { columns?: number }) {}

  update(progress: SyncProgress, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100 && progress.done < progress.total) return;
    this.lastDraw = now;
    const fraction = progress.total === 0 ? 1 : progress.done / progress.total;
    const filled = Math.round(fraction * WIDTH);
    const bytes = progress.bytesTotal > 0 ? ` ${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}` : "";
    let line = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${progress.done}/${progress.total}${bytes} ${progress.currentPath}`;
    const columns = this.stream.columns ?? 100;
    if (line.length > columns - 1) line = line.slice(0, columns - 2) + "…";
    this.stream.write(`\r\x1b[2K${line}`);
  }

  finish(): void {
    this.stream.write("\r\x1b[2K");
  }
}
