// Finds processes by an argument unique to this test run (its scratch folder), to act on the daemon that the
// extension started inside code-server. Linux /proc.
import { readdirSync, readFileSync } from "node:fs";

export function pidsWithArgument(argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(argument)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
