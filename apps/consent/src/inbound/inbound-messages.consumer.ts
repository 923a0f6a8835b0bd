import { Controller, Inject, Logger } from '@nestjs/common';
import { consentStateKey, type ConsentStateEvent, type InboundMessageEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type DeadLetter } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { randomUUID } from 'node:crypto';
import { ConsentRepository, keyOf, type NewInbound, type NewOptEvent } from '../database/consent.repository.js';
import { classifyInbound } from '../rules/inbound-keywords.js';
import { optScopeFor } from '../rules/opt-out-scope.js';

/**
 * Texts people send: opt-out keywords revoke consent at once (MP.OPTOUT.HONOR), opt-in
 * keywords restore it, and every text opens a conversation window (MP.CONSENT.CONVERSATION).
 * Each change of state is published on the compacted consent-state topic, which the
 * dispatcher re-checks right before it calls Twilio.
 */
@Controller()
export class InboundMessagesConsumer {
  private readonly logger = new Logger(InboundMessagesConsumer.name);

  constructor(
    @Inject(ConsentRepository) private readonly consents: ConsentRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  @ConsumeTopic('inbound')
  async onInbound(records: ConsumedRecord<InboundMessageEvent>[]): Promise<BatchOutcome> {
    const deadLetters: DeadLetter[] = [];
    const inbound: NewInbound[] = [];
    const events: NewOptEvent[] = [];
    const contexts = new Map<string, ConsumedRecord<InboundMessageEvent>['context']>();
    for (const r of records) {
      const message = r.value;
      const tenant = this.tenants.get(message.tenantId);
      if (!tenant) {
        deadLetters.push({ record: r, error: new Error(`tenantId: tenant "${message.tenantId}" is unknown`) });
        continue;
      }
      const recipientToken = this.pseudonyms.token(message.tenantId, message.from);
      const intent = classifyInbound(message.body);
      inbound.push({ twilioSid: message.twilioSid, tenantId: message.tenantId, recipientToken, sender: message.to, intent: intent.kind, receivedAt: message.receivedAt });
      if (intent.kind === 'opt_out' || intent.kind === 'opt_in') {
        const id = randomUUID();
        contexts.set(id, r.context);
        events.push({
          id,
          tenantId: message.tenantId,
          recipientToken,
          scope: optScopeFor(tenant, message.to),
          kind: intent.kind,
          source: 'inbound_keyword',
          keyword: intent.keyword,
          inboundTwilioSid: message.twilioSid,
          at: message.receivedAt,
        });
      }
    }
    await this.consents.insertInbound(inbound);
    const recorded = await this.consents.insertOptEvents(events);
    // Publish the current state of every scope touched (not the event itself): a redelivered
    // STOP that arrives after a START must not re-publish "opted out".
    const current = await this.consents.factsFor(events);
    const states = new Map<string, { state: ConsentStateEvent; context: ConsumedRecord<InboundMessageEvent>['context'] | undefined }>();
    for (const e of events) {
      const latest = current.get(keyOf(e))?.optStates.find((s) => s.scope === e.scope);
      if (!latest) continue;
      const state: ConsentStateEvent = {
        tenantId: e.tenantId,
        scope: e.scope,
        recipientToken: e.recipientToken,
        optedOut: latest.optedOut,
        reason: latest.optedOut ? 'opted out by an inbound keyword' : 'opted in by an inbound keyword',
        changedAt: latest.at,
      };
      states.set(consentStateKey(state), { state, context: contexts.get(e.id) });
    }
    await this.publisher.publishRaw([...states].map(([key, { state, context }]) => record('consentState', key, state, context)));
    for (const e of recorded) this.logger.log({ message: `recorded ${e.kind}`, tenantId: e.tenantId, recipient: e.recipientToken, scope: e.scope });
    return { deadLetters };
  }
}
