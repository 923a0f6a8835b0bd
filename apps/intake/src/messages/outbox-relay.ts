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
    const age = this.config.OUTBOX_RELAY_AGE_MS;
    const accepted = await drain((limit) => this.messages.takeUnpublished(age, limit), (batch) => this.intake.republish(batch));
    if (accepted > 0) this.logger.log({ message: 'outbox relay published messages', count: accepted });
    await this.inbound.prune();
    const inbound = await drain((limit) => this.inbound.takeUnpublished(age, limit), (batch) => this.inbound.publish(batch));
    if (inbound > 0) this.logger.log({ message: 'outbox relay published inbound messages', count: inbound });
    return accepted + inbound;
  }
}

/** Publishes what `take` finds, 500 at a time, until it finds fewer; the number published. */
async function drain<T>(take: (limit: number) => Promise<T[]>, publish: (batch: T[]) => Promise<void>): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await take(500);
    if (batch.length === 0) break;
    await publish(batch);
    total += batch.length;
    if (batch.length < 500) break;
  }
  return total;
}
