import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { JsonLogger } from '@sms/nest-runtime';
import { Periodic } from '@sms/util';
import type { DecisionsRepository } from './decisions.repository.js';

/** Deletes verdicts past their retention, every so often, in every instance (they share the work). */
export class DecisionPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly ticks: Periodic;

  constructor(decisions: DecisionsRepository, retentionMs: number, everyMs: number, logger: JsonLogger) {
    this.ticks = new Periodic(
      everyMs,
      async () => {
        const deleted = await decisions.prune(retentionMs);
        if (deleted > 0) logger.log({ message: 'pruned snowshoe verdicts past their retention', deleted, retentionMs });
      },
      (error) => logger.warn({ message: 'pruning snowshoe verdicts failed; will retry', error: error.message }),
    );
  }

  onApplicationBootstrap(): void {
    this.ticks.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.ticks.stop();
  }
}
