import { Inject, Injectable, Logger } from '@nestjs/common';
import type { InboundMessageEvent } from '@sms/contracts';
import { KafkaPublisher } from '@sms/kafka';
import { Pseudonymizer } from '@sms/util';
import { InboundOutboxRepository } from './inbound-outbox.repository.js';

/**
 * Inbound messages go to sms.inbound.v1 from intake's outbox: stored first (what Twilio's
 * acknowledgement waits for), published right away, and published again by the outbox relay
 * when the broker was away. Consent is idempotent on the Twilio message, so twice is harmless.
 */
@Injectable()
export class InboundOutbox {
  private readonly logger = new Logger(InboundOutbox.name);

  constructor(
    @Inject(InboundOutboxRepository) private readonly inbound: InboundOutboxRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  /** Stores the message (once per Twilio message), then publishes it without making the caller wait. */
  async accept(event: InboundMessageEvent): Promise<void> {
    const stored = await this.inbound.store(event);
    this.publish([stored]).catch((error: Error) =>
      this.logger.warn({ message: 'publishing an inbound message failed; the outbox relay will retry', twilioSid: stored.twilioSid, error: error.message }),
    );
  }

  async publish(events: InboundMessageEvent[]): Promise<void> {
    await Promise.all(
      events.map(async (event) => {
        await this.publisher.publishTo('inbound', this.pseudonyms.token(event.tenantId, event.from), event);
        await this.inbound.markPublished(event.id);
      }),
    );
  }

  /** Inbound messages that did not reach Kafka after `olderThanMs` (for the outbox relay). */
  takeUnpublished(olderThanMs: number, limit: number): Promise<InboundMessageEvent[]> {
    return this.inbound.takeUnpublished(olderThanMs, limit);
  }

  /** Forgets what was published long enough ago. */
  prune(): Promise<void> {
    return this.inbound.prunePublished();
  }
}
