import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { KafkaPublisher } from '@sms/kafka';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { DispatchRepository } from '../database/dispatch.repository.js';
import { DispatchService } from './dispatch.service.js';

/**
 * Every few seconds, settles sends that were recorded but never confirmed (the dispatcher
 * died between recording and hearing back from Twilio) by asking Twilio first.
 */
@Injectable()
export class SendReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SendReconciler.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(DispatchRepository) private readonly ledger: DispatchRepository,
    @Inject(DispatchService) private readonly dispatcher: DispatchService,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(1_000, Math.min(15_000, Math.floor(this.config.IN_DOUBT_AFTER_MS / 2)));
    this.timer = setInterval(() => {
      this.running ??= this.reconcileOnce()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn({ message: 'reconciling in-doubt sends failed; will retry', error: error.message }))
        .finally(() => (this.running = null));
    }, every);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async reconcileOnce(): Promise<number> {
    const rows = await this.ledger.inDoubt(this.config.IN_DOUBT_AFTER_MS, 100);
    if (rows.length === 0) return 0;
    await this.publisher.publishRaw(await this.dispatcher.reconcile(rows));
    return rows.length;
  }
}
