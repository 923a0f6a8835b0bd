import { Controller, Inject } from '@nestjs/common';
import { requesterLabel, type ConsentChangeEvent, type MessageEnvelope, type StatusEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { AnalystStream } from '../analyst/analyst-stream.js';
import { HistoryRepository } from '../database/history.repository.js';
import { EnforcementService } from '../enforcement/enforcement.service.js';
import { HeldMessagesRepository } from '../reviews/held-messages.repository.js';
import { ReviewService } from '../reviews/review.service.js';
import { analystFromConsentChange, analystFromEnvelope, analystFromStatus } from '../rules/analyst.js';
import { handedToTwilio, historyFromEnvelope, historyFromStatus, type HistoryEvent } from '../rules/history.js';

/**
 * Audit reads every stage topic: each envelope carries the verdict its stage appended, so the
 * history is exactly what the stages decided, not a second report of it. Each batch is
 * appended to the tenants' hash chains in one transaction, then mirrored, pseudonymised, on
 * the analysts' stream; held messages join the review queue (unless the message was handed to
 * Twilio: rules/review.ts) and leave it when it is; blocks are counted for enforcement.
 */
@Controller()
export class HistoryConsumer {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(AnalystStream) private readonly analysts: AnalystStream,
    @Inject(EnforcementService) private readonly enforcement: EnforcementService,
    @Inject(ReviewService) private readonly reviews: ReviewService,
  ) {}

  @ConsumeTopic('accepted')
  async onAccepted(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, true);
  }

  @ConsumeTopic('consented')
  async onConsented(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('screened')
  async onScreened(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('cleared')
  async onCleared(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('stopped')
  async onStopped(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    // The history first: the review queue follows what it keeps, and a held message its tenant sees there can be withdrawn at once (a cancel needs its history).
    const outcome = await this.recordEnvelopes(records, false);
    await this.reviews.queue(records.map((r) => r.value).filter((e) => e.verdicts.at(-1)?.decision === 'hold'));
    await this.enforcement.check(records.filter((r) => r.value.verdicts.at(-1)?.decision === 'block').map((r) => r.value.tenantId));
    return outcome;
  }

  @ConsumeTopic('status')
  async onStatus(records: ConsumedRecord<StatusEvent>[]): Promise<BatchOutcome> {
    const events = records.map((r) => historyFromStatus(r.value));
    await this.history.append(events);
    // Handed to Twilio: a review of a hold from before the dispatcher has nothing left to decide.
    await this.held.superseded(events.filter(handedToTwilio).map((e) => ({ messageId: e.messageId, tenantId: e.tenantId, at: e.occurredAt })));
    await this.held.cancelled(
      records
        .map((r) => r.value)
        .filter((e) => e.cancellation?.outcome === 'cancelled')
        .map((e) => ({ messageId: e.messageId, tenantId: e.tenantId, by: requesterLabel(e.cancellation!.requestedBy), at: e.at })),
    );
    await this.analysts.publish(records.map((r) => analystFromStatus(r.value)));
    return {};
  }

  @ConsumeTopic('consentChanges')
  async onConsentChanges(records: ConsumedRecord<ConsentChangeEvent>[]): Promise<BatchOutcome> {
    await this.history.appendConsentChanges(records.map((r) => r.value));
    // An opt-out review decided: the messages held behind the reply are blocked or released.
    await this.reviews.optOutReviewDecided(records.map((r) => r.value));
    await this.analysts.publish(records.map((r) => analystFromConsentChange(r.value, this.analysts)));
    return {};
  }

  private async recordEnvelopes(records: ConsumedRecord<MessageEnvelope>[], accepted: boolean): Promise<BatchOutcome> {
    const pairs = records
      .map((r) => ({ envelope: r.value, event: historyFromEnvelope(r.value, accepted) }))
      .filter((p): p is { envelope: MessageEnvelope; event: HistoryEvent } => p.event !== null);
    await this.history.append(pairs.map((p) => p.event));
    await this.analysts.publish(pairs.map((p) => analystFromEnvelope(p.envelope, p.event, this.analysts)));
    return {};
  }
}
