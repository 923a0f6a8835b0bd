import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';
import { AcceptedMessageRepository } from './accepted-message.repository.js';
import { MessageIntakeService } from './message-intake.service.js';

/**
 * Publishes accepted messages that did not reach Kafka: after a crash between the database
 * write and the publish, or while the broker was away. Consumers are idempotent on the
 * message id, so a message published twice is harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(AcceptedMessageRepository) private readonly messages: AcceptedMessageRepository,
    @Inject(MessageIntakeService) private readonly intake: MessageIntakeService,
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.relayOnce()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn({ message: 'outbox relay failed; will retry', error: error.message }))
        .finally(() => (this.running = null));
    }, this.config.OUTBOX_RELAY_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async relayOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.messages.takeUnpublished(this.config.OUTBOX_RELAY_AGE_MS, 500);
      if (batch.length === 0) break;
      await this.intake.republish(batch);
      total += batch.length;
      if (batch.length < 500) break;
    }
    if (total > 0) this.logger.log({ message: 'outbox relay published messages', count: total });
    return total;
  }
}
