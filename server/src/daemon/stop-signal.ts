// Why the daemon stops: SIGINT, SIGTERM, or, for a daemon an editor started (LLM2CLIP_PARENT_PID), that editor's
// process being gone, so that a killed editor leaves no daemon behind reparented to init.
export type StopReason = NodeJS.Signals | "parent exited";

const PARENT_POLL_MS = 1_000;

/** Resolves with the first reason to stop; `parentPid` is watched by polling, as Node has no parent-death signal. */
export function stopSignal(parentPid = parseParentPid(process.env.LLM2CLIP_PARENT_PID)): Promise<StopReason> {
  return new Promise((resolve) => {
    const poll = parentPid === undefined ? undefined : setInterval(() => !isRunning(parentPid) && stop("parent exited"), PARENT_POLL_MS);
    poll?.unref();
    function stop(reason: StopReason) {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      clearInterval(poll);
      resolve(reason);
    }
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

function parseParentPid(value: string | undefined): number | undefined {
  const pid = Number(value);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
