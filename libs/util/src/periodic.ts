/**
 * A task run every `everyMs`, never overlapping itself: a tick that comes while the last run
 * is still going is skipped. A failed run is reported to `onError` and the next tick runs
 * again. `stop()` clears the timer and waits for a run in progress.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly everyMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts ticking; the timer does not keep the process alive. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.task()
        .then(() => undefined)
        .catch((error: Error) => this.onError(error))
        .finally(() => (this.running = null));
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
