import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Periodic } from '@sms/util';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';
import { AcceptedMessageRepository } from './accepted-message.repository.js';
import { InboundOutbox } from '../webhooks/inbound-outbox.service.js';
import { MessageIntakeService } from './message-intake.service.js';

/**
 * Publishes accepted and inbound messages that did not reach Kafka: after a crash between the
 * database write and the publish, or while the broker was away. Consumers are idempotent on the
 * message id, so a message published twice is harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private ticks: Periodic | null = null;

  constructor(
    @Inject(AcceptedMessageRepository) private readonly messages: AcceptedMessageRepository,
    @Inject(MessageIntakeService) private readonly intake: MessageIntakeService,
    @Inject(InboundOutbox) private readonly inbound: InboundOutbox,
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.ticks = new Periodic(this.config.OUTBOX_RELAY_INTERVAL_MS, () => this.relayOnce(), (error) => this.logger.warn({ message: 'outbox relay failed; will retry', error: error.message }));
    this.ticks.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.ticks?.stop();
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
    const inbound = await this.inbound.relayOnce(this.config.OUTBOX_RELAY_AGE_MS);
    if (inbound > 0) this.logger.log({ message: 'outbox relay published inbound messages', count: inbound });
    return total + inbound;
  }
}
