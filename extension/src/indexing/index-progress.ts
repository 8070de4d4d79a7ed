// The one progress model of an indexing run: the notification and the status bar both word it with progressText, so
// they always show the same step and counts.

/** finding: listing the folder's images; reading: hashing them for the manifest; embedding: the daemon's sync. */
export type IndexStep = "finding" | "reading" | "embedding";

export interface IndexProgress {
  step: IndexStep;
  done: number;
  total: number;
}

const STEP_ORDER: readonly IndexStep[] = ["finding", "reading", "embedding"];

/** "finding images", "reading 412/1108", "embedding 90/1108". */
export function progressText(progress: IndexProgress): string {
  return progress.step === "finding" ? "finding images" : `${progress.step} ${progress.done}/${progress.total}`;
}

/** How far along the whole run is, 0–100: reading and embedding each take half of the bar. */
export function progressPercent(progress: IndexProgress): number {
  if (progress.step === "finding") return 0;
  const share = progress.total ? progress.done / progress.total : 0;
  return 50 * (progress.step === "reading" ? share : 1 + share);
}

/**
 * Several folders' progress as one: the step of the folder furthest behind, with the counts of the folders at that
 * step, so that one folder gives exactly its own progress.
 */
export function combinedProgress(folders: readonly IndexProgress[]): IndexProgress | undefined {
  if (folders.length === 0) return undefined;
  const step = STEP_ORDER.find((candidate) => folders.some((f) => f.step === candidate)) ?? "finding";
  const atStep = folders.filter((f) => f.step === step);
  return { step, done: atStep.reduce((sum, f) => sum + f.done, 0), total: atStep.reduce((sum, f) => sum + f.total, 0) };
}
