import { Controller, Inject } from '@nestjs/common';
import { requesterLabel, type ConsentChangeEvent, type MessageEnvelope, type StatusEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { AnalystStream } from '../analyst/analyst-stream.js';
import { EnforcementService } from '../enforcement/enforcement.service.js';
import { HeldMessagesRepository } from '../reviews/held-messages.repository.js';
import { ReviewService } from '../reviews/review.service.js';
import { analystFromConsentChange, analystFromEnvelope, analystFromStatus } from '../rules/analyst.js';
import { countsTowardSuspension } from '../rules/enforcement.js';
import { firstToldOn, handedToTwilio, historyFromEnvelope, historyFromStatus, type EnvelopeTopic } from '../rules/history.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { HistoryRepository } from './history.repository.js';

/**
 * Audit records what happened; it is no step of sending. So the broker gathers each topic's
 * records for up to a quarter of a second (or 256 KiB) before it answers audit's fetches: at
 * moderate rates a transaction then carries hundreds of events, not a handful, and a message's
 * history shows that much later.
 */
const GATHERED = { fetch: { minBytes: 256 * 1024, maxWaitMs: 250 } };

/**
 * Audit reads where a message enters (`sms.accepted.v1`) and the two topics where its way
 * through the stages ends (`sms.cleared.v1`, `sms.stopped.v1`): each stage appends its verdict
 * to the envelope, so the final envelope carries every decision, exactly as the stages made
 * them, and the topics between the stages need no reading. Statuses and consent changes come
 * from their own topics. The batches of every topic are appended together to the tenants'
 * hash chains (HistoryRepository merges them into one transaction at a time), then mirrored,
 * pseudonymised, on the analysts' stream; held messages join the review queue (unless the
 * message was handed to Twilio: rules/review.ts) and leave it when it is; blocks that count as
 * violations are counted for enforcement.
 */
@Controller()
export class HistoryConsumer {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(AnalystStream) private readonly analysts: AnalystStream,
    @Inject(EnforcementService) private readonly enforcement: EnforcementService,
    @Inject(ReviewService) private readonly reviews: ReviewService,
    @Inject(RULE_DATA) private readonly ruleData: RuleData,
  ) {}

  @ConsumeTopic('accepted', GATHERED)
  async onAccepted(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes('accepted', records);
  }

  @ConsumeTopic('cleared', GATHERED)
  async onCleared(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes('cleared', records);
  }

  @ConsumeTopic('stopped', GATHERED)
  async onStopped(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    // The history first: the review queue follows what it keeps, and a held message its tenant sees there can be withdrawn at once (a cancel needs its history).
    const outcome = await this.recordEnvelopes('stopped', records);
    await this.reviews.queue(records.map((r) => r.value).filter((e) => e.verdicts.at(-1)?.decision === 'hold'));
    await this.enforcement.check(records.filter((r) => countsTowardSuspension(r.value.verdicts.at(-1), this.ruleData.enforcement)).map((r) => r.value.tenantId));
    return outcome;
  }

  @ConsumeTopic('status', GATHERED)
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

  @ConsumeTopic('consentChanges', GATHERED)
  async onConsentChanges(records: ConsumedRecord<ConsentChangeEvent>[]): Promise<BatchOutcome> {
    await this.history.appendConsentChanges(records.map((r) => r.value));
    // An opt-out review decided: the messages held behind the reply are blocked or released.
    await this.reviews.optOutReviewDecided(records.map((r) => r.value));
    await this.analysts.publish(records.map((r) => analystFromConsentChange(r.value, this.analysts)));
    return {};
  }

  private async recordEnvelopes(topic: EnvelopeTopic, records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const told = records.map((r) => ({ envelope: r.value, history: historyFromEnvelope(r.value) }));
    await this.history.append(told.flatMap((t) => t.history));
    // Analysts get each entry from the one record that first tells it (a redelivery tells it again).
    await this.analysts.publish(told.flatMap((t) => analystFromEnvelope(t.envelope, firstToldOn(topic, t.envelope, t.history), this.analysts)));
    return {};
  }
}
