// Disposes each of several disposables on its own, so that one that throws cannot keep the others (the daemon among
// them) from being disposed.
export interface Disposable {
  dispose(): unknown;
}

/** Disposes every item in order; returns the errors thrown, for the caller to report where it still can. */
export function disposeAll(disposables: Iterable<Disposable>): unknown[] {
  const errors: unknown[] = [];
  for (const disposable of disposables) {
    try {
      disposable.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}
