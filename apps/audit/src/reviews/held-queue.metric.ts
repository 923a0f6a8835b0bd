import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { HeldMessagesRepository } from './held-messages.repository.js';

/** sms_held_messages{stage}: messages waiting for a reviewer, read at each scrape. */
@Injectable()
export class HeldQueueMetric implements OnModuleInit {
  constructor(@Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository) {}

  onModuleInit(): void {
    if (register.getSingleMetric('sms_held_messages')) return;
    const held = this.held;
    new Gauge({
      name: 'sms_held_messages',
      help: 'Messages on hold waiting for a reviewer, by the stage that held them',
      labelNames: ['stage'] as const,
      async collect() {
        this.reset();
        const byStage = new Map<string, number>();
        for (const row of await held.pendingCount()) byStage.set(row.stage, (byStage.get(row.stage) ?? 0) + row.count);
        for (const [stage, count] of byStage) this.set({ stage }, count);
      },
    });
  }
}
