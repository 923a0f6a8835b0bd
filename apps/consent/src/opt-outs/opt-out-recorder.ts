import { Inject, Injectable, Logger } from '@nestjs/common';
import { consentStateKey, type ConsentStateEvent, type MessageEnvelope } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher, record, type OutgoingRecord } from '@sms/kafka';
import type { Context } from '@sms/tracing';
import { keyOf, RecipientFactsRepository } from '../decisions/recipient-facts.repository.js';
import { optEventChanges } from './consent-changes.js';
import { OptEventsRepository, type NewOptEvent } from './opt-events.repository.js';

const STATE_WORDS = { opted_out: 'opted out', opted_in: 'opted in', paused: 'marketing paused until an opt-out review decides' } as const;

/**
 * Recording opt-outs, opt-ins and pauses, wherever they come from (an inbound text, a
 * reviewer, Twilio's error 21610), and telling the rest of the pipeline: the current state of
 * each scope touched goes on the compacted consent-state topic (read back after writing, so a
 * redelivered STOP after a START never re-publishes "opted out"), the change with its proof
 * goes to audit on `consent.changes.v1`, and the pipeline's replies (the one opt-out
 * confirmation, ...) go on `sms.accepted.v1` like any message.
 */
@Injectable()
export class OptOutRecorder {
  private readonly logger = new Logger(OptOutRecorder.name);

  constructor(
    @Inject(OptEventsRepository) private readonly optEvents: OptEventsRepository,
    @Inject(RecipientFactsRepository) private readonly recipientFacts: RecipientFactsRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  async record(
    events: (NewOptEvent & { inboundBody?: string })[],
    replies: MessageEnvelope[],
    contextOf: (event: NewOptEvent | MessageEnvelope) => Context | undefined = () => undefined,
  ): Promise<void> {
    const recorded = await this.optEvents.insertOptEvents(events);
    const out: OutgoingRecord[] = [
      ...(await this.currentStates(events, contextOf)),
      // All of them, not just the ones inserted now: a redelivery must finish what a crash interrupted.
      ...optEventChanges(events, contextOf),
      ...replies.map((envelope) => record('accepted', this.pseudonyms.token(envelope.tenantId, envelope.message.to), envelope, contextOf(envelope))),
    ];
    await this.publisher.publishRaw(out);
    for (const e of recorded) {
      this.logger.log({ message: `recorded ${e.kind}`, tenantId: e.tenantId, recipient: e.recipientToken, scope: e.scope, source: e.source, confidence: e.confidence });
    }
  }

  /** A pause too: the dispatcher holds the marketing it would otherwise send (a released hold) until the review decides. */
  private async currentStates(events: NewOptEvent[], contextOf: (event: NewOptEvent) => Context | undefined): Promise<OutgoingRecord[]> {
    if (events.length === 0) return [];
    const current = await this.recipientFacts.factsFor(events);
    const out = new Map<string, OutgoingRecord>();
    for (const e of events) {
      const latest = current.get(keyOf(e))?.optStates.find((s) => s.scope === e.scope);
      if (!latest) continue;
      const state: ConsentStateEvent = {
        tenantId: e.tenantId,
        scope: e.scope,
        recipientToken: e.recipientToken,
        optedOut: latest.state === 'opted_out',
        // Only on a pause: opt-outs and opt-ins stay as readers that predate the field know them.
        ...(latest.state === 'paused' ? { marketingPaused: true } : {}),
        reason: `${STATE_WORDS[latest.state]} (${e.source})`,
        changedAt: latest.at,
      };
      out.set(consentStateKey(state), record('consentState', consentStateKey(state), state, contextOf(e)));
    }
    return [...out.values()];
  }
}
