import { Inject, Injectable } from '@nestjs/common';
import type { ConsentChangeEvent, MessageEnvelope } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher, record } from '@sms/kafka';
import { HistoryRepository } from '../history/history.repository.js';
import { handedToTwilio, historyFromEnvelope } from '../rules/history.js';
import { joinsReviewQueue, reviewOutcome } from '../rules/review.js';
import { HeldMessagesRepository, type HeldMessage } from './held-messages.repository.js';

/**
 * Carries out decisions on held messages: the review verdict goes into the history at once
 * (the message's final envelope carries it too, but only once the later stages are done with
 * it) and the message goes on, or is blocked.
 */
@Injectable()
export class ReviewService {
  constructor(
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  /**
   * Queues held messages for review, once their holds are in the history (joinsReviewQueue).
   * The status consumer closes the reviews of messages handed to Twilio (`superseded`) after it
   * recorded the hand-over; a hand-over recorded while these were being queued is looked for
   * again after they are in the queue, so that one of the two always sees the other.
   */
  async queue(holds: MessageEnvelope[]): Promise<void> {
    if (holds.length === 0) return;
    const before = await this.history.forMessages(holds.map((e) => ({ tenantId: e.tenantId, id: e.id })));
    const queued = holds.filter((e) => joinsReviewQueue(e, before.get(e.id) ?? []));
    if (queued.length === 0) return;
    await this.held.hold(queued);
    const after = await this.history.forMessages(queued.map((e) => ({ tenantId: e.tenantId, id: e.id })));
    await this.held.superseded(
      queued.flatMap((e) => {
        const handed = after.get(e.id)?.find(handedToTwilio);
        return handed ? [{ messageId: e.id, tenantId: e.tenantId, at: handed.occurredAt }] : [];
      }),
    );
  }

  async carryOut(decided: HeldMessage, decision: 'approve' | 'reject', decidedBy: string, note: string | undefined): Promise<void> {
    const outcome = reviewOutcome(decided.envelope, decision, decidedBy, note, new Date());
    await this.history.append(historyFromEnvelope(outcome.envelope));
    const e = outcome.envelope;
    const key = outcome.topic === 'cleared' ? `${e.tenantId}|${e.message.from ?? e.message.messagingServiceSid ?? ''}` : this.pseudonyms.token(e.tenantId, e.message.to);
    await this.publisher.publishRaw([record(outcome.topic, key, e)]);
  }

  /**
   * An opt-out review was decided (consent publishes the opt-out, or the opt-in that ends the
   * pause, with source `review:<who>`): the messages held behind that person's unclear reply
   * are blocked, or released through consent, which decides them again now that the pause ended.
   */
  async optOutReviewDecided(changes: ConsentChangeEvent[]): Promise<void> {
    for (const change of changes) {
      if (!change.source.startsWith('review:') || (change.kind !== 'opted_out' && change.kind !== 'opted_in')) continue;
      const decision = change.kind === 'opted_out' ? 'reject' : 'approve';
      const by = `opt-out review (${change.source.slice('review:'.length)})`;
      for (const h of await this.held.pendingBehindOptOutReview(change.tenantId)) {
        if (this.pseudonyms.token(h.tenantId, h.envelope.message.to) !== change.recipientToken) continue;
        const decided = await this.held.decide(h.tenantId, h.messageId, decision === 'approve' ? 'approved' : 'rejected', by, null);
        if (decided) await this.carryOut(decided, decision, by, undefined);
      }
    }
  }
}
