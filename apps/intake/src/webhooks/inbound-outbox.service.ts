import { Inject, Injectable, Logger } from '@nestjs/common';
import type { InboundMessageEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher } from '@sms/kafka';
import { InboundOutboxRepository } from './inbound-outbox.repository.js';

/**
 * Inbound messages go to sms.inbound.v1 from intake's outbox: stored first (what Twilio's
 * acknowledgement waits for), published right away, and published again by the outbox relay
 * when that failed or the instance died first (outbox-claims.ts). Consent is idempotent on the Twilio message, so twice is harmless.
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
    void this.publish([stored]);
  }

  /**
   * Stores the messages intake does not hold yet (by Twilio message SID) and publishes those,
   * without making the caller wait; what another instance or the webhook stored is left to them.
   * The messages stored.
   */
  async acceptMissing(events: InboundMessageEvent[]): Promise<InboundMessageEvent[]> {
    const stored = await this.inbound.storeNew(events);
    void this.publish(stored);
    return stored;
  }

  /**
   * Publishes and marks each; one that fails is released to the outbox relay (which takes only
   * messages no live instance is publishing). Never fails.
   */
  async publish(events: InboundMessageEvent[]): Promise<void> {
    await Promise.all(
      events.map(async (event) => {
        try {
          await this.publisher.publishTo('inbound', this.pseudonyms.token(event.tenantId, event.from), event);
        } catch (error) {
          this.logger.warn({ message: 'publishing an inbound message failed; the outbox relay will retry', twilioSid: event.twilioSid, error: (error as Error).message });
          await this.inbound.release(event.id).catch(() => undefined);
          return;
        }
        await this.inbound
          .markPublished(event.id)
          .catch((error: Error) => this.logger.warn({ message: 'could not mark an inbound message published', twilioSid: event.twilioSid, error: error.message }));
      }),
    );
  }

  /** Claims inbound messages no live instance is publishing (for the outbox relay). */
  takeUnpublished(limit: number): Promise<InboundMessageEvent[]> {
    return this.inbound.takeUnpublished(limit);
  }

  /** Forgets what was published long enough ago. */
  prune(): Promise<void> {
    return this.inbound.prunePublished();
  }
}
