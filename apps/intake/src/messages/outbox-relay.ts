import { Inject, Injectable } from '@nestjs/common';
import { PeriodicTask } from '@sms/nest-runtime';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';
import { AcceptedMessageRepository } from './accepted-message.repository.js';
import { InboundOutbox } from '../webhooks/inbound-outbox.service.js';
import { MessageIntakeService } from './message-intake.service.js';
import { OutboxClaims } from './outbox-claims.js';

/**
 * Publishes accepted and inbound messages that did not reach Kafka and that no live instance is
 * publishing: the instance that stored them died (or stopped) first, or gave them up (an inbound
 * publish that failed). A message whose publish is in flight, however long the backlog, is left
 * to its instance (outbox-claims.ts). Consumers are idempotent on the message id, so a message
 * published twice (its instance died after the broker's acknowledgement, before the mark) is
 * harmless.
 */
@Injectable()
export class OutboxRelay extends PeriodicTask {
  constructor(
    @Inject(AcceptedMessageRepository) private readonly messages: AcceptedMessageRepository,
    @Inject(MessageIntakeService) private readonly intake: MessageIntakeService,
    @Inject(InboundOutbox) private readonly inbound: InboundOutbox,
    @Inject(OutboxClaims) private readonly claims: OutboxClaims,
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
  ) {
    super({ everyMs: config.OUTBOX_RELAY_INTERVAL_MS, failure: 'outbox relay failed; will retry' });
  }

  /** One relay run, unless another instance's is running (then 0): one person's rows in order. */
  async runOnce(): Promise<number> {
    return (await this.claims.asTheOnlyRelay(() => this.relayAll())) ?? 0;
  }

  private async relayAll(): Promise<number> {
    const accepted = await drain(
      (limit) => this.messages.takeUnpublished(limit),
      (batch) => this.intake.republish(batch),
    );
    if (accepted > 0) this.logger.log({ message: 'outbox relay published messages', count: accepted });
    await this.inbound.prune();
    await this.claims.prune();
    const inbound = await drain(
      (limit) => this.inbound.takeUnpublished(limit),
      (batch) => this.inbound.publish(batch),
    );
    if (inbound > 0) this.logger.log({ message: 'outbox relay published inbound messages', count: inbound });
    return accepted + inbound;
  }
}

/**
 * Publishes what `take` finds, 500 at a time, until it finds fewer (or 20 times: what failed
 * and was released is taken again next run, not in a loop now); the number taken.
 */
async function drain<T>(take: (limit: number) => Promise<T[]>, publish: (batch: T[]) => Promise<void>): Promise<number> {
  let total = 0;
  for (let round = 0; round < 20; round++) {
    const batch = await take(500);
    if (batch.length === 0) break;
    await publish(batch);
    total += batch.length;
    if (batch.length < 500) break;
  }
  return total;
}
