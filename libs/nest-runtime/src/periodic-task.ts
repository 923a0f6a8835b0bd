import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Periodic } from '@sms/util';

export interface PeriodicSchedule {
  /** The interval between runs, in milliseconds. */
  everyMs: number;
  /** The warning logged (with the error's message) when a run fails. */
  failure: string;
}

/**
 * The interval for a check of things older than `thresholdMs`: twice within the threshold, so
 * nothing waits much past it, and never more often than once a second nor less often than
 * `atMostMs`.
 */
export function everyHalfOf(thresholdMs: number, atMostMs: number): number {
  return Math.max(1_000, Math.min(atMostMs, Math.floor(thresholdMs / 2)));
}

/**
 * A provider that runs `runOnce` every so often from the application's start until its
 * shutdown, which waits for a run in progress (`Periodic`: runs never overlap). A failed run is
 * logged as a warning and the next tick runs again.
 */
export abstract class PeriodicTask implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  private ticks: Periodic | null = null;

  constructor(private readonly schedule: PeriodicSchedule) {}

  /** One run; the number of things it handled. */
  abstract runOnce(): Promise<number>;

  onApplicationBootstrap(): void | Promise<void> {
    this.ticks = new Periodic(
      this.schedule.everyMs,
      () => this.runOnce(),
      (error) => this.logger.warn({ message: this.schedule.failure, error: error.message }),
    );
    this.ticks.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.ticks?.stop();
  }
}
