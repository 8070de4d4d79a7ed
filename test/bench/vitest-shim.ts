// The bench reuses test/support/daemon.ts outside vitest: its per-file cleanup hook runs when the bench process exits.
export function afterAll(cleanup: () => void): void {
  process.once("exit", cleanup);
}
