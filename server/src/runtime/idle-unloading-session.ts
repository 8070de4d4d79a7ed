// A graph session that releases its ORT session (and the worker thread holding it) after a while with no run, and
// opens it again on the next run: a daemon beside an editor gives back the model's memory while nobody uses it.
// The reopened session is the same file on the same device with the same options, so its outputs are the same.
import type { FloatTensor, HostTensor, ModelSession } from "../model/session";

export interface IdleUnloadLog {
  info(message: string): void;
}

export class IdleUnloadingSession implements ModelSession {
  readonly device: ModelSession["device"];
  readonly inputs: ModelSession["inputs"];
  readonly outputs: ModelSession["outputs"];
  private session: ModelSession | undefined;
  private opening: Promise<ModelSession> | undefined;
  private unloading: Promise<void> | undefined;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(
    /** Opens the session again; the first one is given already open. */
    private readonly open: () => Promise<ModelSession>,
    first: ModelSession,
    private readonly idleMs: number,
    /** How the log names it, e.g. `graph llm`. */
    private readonly name: string,
    private readonly log: IdleUnloadLog,
    /** Told whenever the session is loaded or unloaded. */
    private readonly onChange?: (loaded: boolean) => void,
  ) {
    this.session = first;
    this.device = first.device;
    this.inputs = first.inputs;
    this.outputs = first.outputs;
    this.arm();
  }

  get loaded(): boolean {
    return this.session !== undefined;
  }

  async run(feeds: Record<string, HostTensor>, outputNames: readonly string[]): Promise<Record<string, FloatTensor>> {
    if (this.released) throw new Error(`the session of ${this.name} was released`);
    this.running++;
    clearTimeout(this.timer);
    try {
      const session = await this.acquire();
      return await session.run(feeds, outputNames);
    } finally {
      this.running--;
      this.arm();
    }
  }

  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    await this.unloading;
    const session = this.session ?? (await this.opening?.catch(() => undefined));
    this.session = undefined;
    await session?.release();
  }

  private async acquire(): Promise<ModelSession> {
    await this.unloading;
    if (this.session) return this.session;
    this.opening ??= this.reopen().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async reopen(): Promise<ModelSession> {
    const started = performance.now();
    const session = await this.open();
    this.session = session;
    this.log.info(`${this.name}: loaded again in ${Math.round(performance.now() - started)} ms`);
    this.onChange?.(true);
    return session;
  }

  private arm(): void {
    if (this.running > 0 || this.released) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.unload(), this.idleMs);
    // An idle timer does not keep the process alive.
    this.timer.unref();
  }

  private unload(): void {
    const session = this.session;
    if (this.running > 0 || this.released || !session) return;
    this.session = undefined;
    this.unloading = session.release().finally(() => (this.unloading = undefined));
    this.log.info(`${this.name}: unloaded after ${this.idleMs} ms without a run; it loads again on the next call`);
    this.onChange?.(false);
  }
}
