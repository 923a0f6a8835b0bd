import { Controller, Inject } from '@nestjs/common';
import type { InboundMessageEvent, MessageEnvelope } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher, withRecipientTokens, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { createHash, randomUUID } from 'node:crypto';
import { ConsentRecordsRepository, type NewConsentRecord } from '../consents/consent-records.repository.js';
import { keyOf, RecipientFactsRepository } from '../decisions/recipient-facts.repository.js';
import { consentRecordedChanges } from '../opt-outs/consent-changes.js';
import type { NewOptEvent } from '../opt-outs/opt-events.repository.js';
import { OptOutRecorder } from '../opt-outs/opt-out-recorder.js';
import { OptOutReviewsRepository } from '../reviews/opt-out-reviews.repository.js';
import { intentOf } from '../rules/inbound-keywords.js';
import { twilioAnswersKeyword, twilioConfirmsOptOut } from '../rules/opt-out-confirmation.js';
import { optScopeFor } from '../rules/opt-out-scope.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { replyEnvelope, replyMessageId } from '../rules/system-messages.js';
import { InboundMessagesRepository, type NewInbound } from './inbound-messages.repository.js';

/**
 * Texts people send. Opt-out keywords and opt-out requests in ordinary words revoke consent
 * at once and get exactly one confirmation (MP.OPTOUT.HONOR): Twilio's when it answered the
 * keyword itself (the tenant's `optOutConfirmation`), else ours; an unclear reply pauses
 * marketing and waits for a person; START, YES and UNSTOP restore consent with the inbound
 * message as proof; HELP and INFO get the brand's help text; every text opens a conversation
 * window (MP.CONSENT.CONVERSATION). Each change of opt-out state is published on the
 * compacted consent-state topic, which the dispatcher re-checks right before calling Twilio.
 */
@Controller()
export class InboundMessagesConsumer {
  constructor(
    @Inject(RecipientFactsRepository) private readonly recipientFacts: RecipientFactsRepository,
    @Inject(InboundMessagesRepository) private readonly inboundMessages: InboundMessagesRepository,
    @Inject(OptOutReviewsRepository) private readonly optOutReviews: OptOutReviewsRepository,
    @Inject(ConsentRecordsRepository) private readonly consentRecords: ConsentRecordsRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(RULE_DATA) private readonly ruleData: RuleData,
    @Inject(OptOutRecorder) private readonly recorder: OptOutRecorder,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  @ConsumeTopic('inbound')
  async onInbound(records: ConsumedRecord<InboundMessageEvent>[]): Promise<BatchOutcome> {
    // The person who wrote is the record's key; a text without one is still honoured.
    const { keyed: tokens, deadLetters } = withRecipientTokens(records, (r) => this.pseudonyms.token(r.value.tenantId, r.value.from));
    const keyed = tokens.map(({ record: r, recipientToken }) => ({ r, tenantId: r.value.tenantId, recipientToken }));
    const before = await this.recipientFacts.factsFor(keyed);
    const now = new Date();
    const inbound: NewInbound[] = [];
    const events: (NewOptEvent & { inboundBody: string })[] = [];
    const reviews: Parameters<OptOutReviewsRepository['insertReviews']>[0] = [];
    const restored: NewConsentRecord[] = [];
    const replies: { envelope: MessageEnvelope; record: ConsumedRecord<InboundMessageEvent> }[] = [];

    for (const { r, tenantId, recipientToken } of keyed) {
      const message = r.value;
      const tenant = this.tenants.get(tenantId);
      if (!tenant) {
        deadLetters.push({ record: r, error: new Error(`tenantId: tenant "${tenantId}" is unknown`) });
        continue;
      }
      const intent = intentOf(message, this.ruleData.inboundClassifier);
      const scope = optScopeFor(tenant, message.to);
      const state = before.get(keyOf({ tenantId, recipientToken }))!.optStates.find((s) => s.scope === scope);
      const optedOut = state?.state === 'opted_out';
      const row: NewInbound = {
        twilioSid: message.twilioSid,
        fromNumber: message.from,
        tenantId,
        recipientToken,
        sender: message.to,
        intent: intent.kind,
        body: message.body,
        classification: { kind: intent.kind, rule: intent.rule, evidence: intent.evidence, confidence: intent.confidence, version: this.ruleData.inboundClassifier.version },
        replyMessageId: null,
        receivedAt: message.receivedAt,
      };
      const event = (kind: NewOptEvent['kind'], source: string, replyId: string | null): NewOptEvent & { inboundBody: string } => ({
        id: randomUUID(),
        tenantId,
        recipientToken,
        scope,
        kind,
        source,
        keyword: 'keyword' in intent ? intent.keyword : null,
        inboundTwilioSid: message.twilioSid,
        evidence: intent.evidence,
        confidence: intent.confidence,
        replyMessageId: replyId,
        at: message.receivedAt,
        inboundBody: message.body,
      });
      const reply = (kind: Parameters<typeof replyEnvelope>[0]) => {
        const envelope = replyEnvelope(kind, message, tenant, now);
        if (envelope) replies.push({ envelope, record: r });
        return envelope?.id ?? null;
      };

      switch (intent.kind) {
        case 'opt_out': {
          // One confirmation per opt-out: none when this scope was already opted out by an
          // earlier message (but again for this same message, redelivered before its reply went out).
          const confirmationId = replyMessageId(message.twilioSid, 'opt_out_confirmation');
          const alreadyOurs = state?.replyMessageIds.includes(confirmationId) ?? false;
          if (optedOut && !alreadyOurs) break;
          const source = intent.rule === 'keyword' ? 'inbound_keyword' : 'inbound_phrase';
          // Twilio already answered this STOP (and would refuse ours with 21610): the person has their one confirmation.
          if (twilioConfirmsOptOut(message, tenant)) {
            events.push(event('opt_out', source, null));
            break;
          }
          events.push(event('opt_out', source, confirmationId));
          reply('opt_out_confirmation');
          break;
        }
        case 'unclear_opt_out':
          if (optedOut) break;
          events.push(event('pause', 'inbound_unclear', null));
          reviews.push({ id: randomUUID(), tenantId, recipientToken, scope, inboundTwilioSid: message.twilioSid, evidence: intent.evidence, confidence: intent.confidence });
          break;
        case 'opt_in':
          if (!optedOut && state?.state !== 'paused') {
            row.intent = 'message'; // "yes" to someone who never opted out is just a reply
            break;
          }
          events.push(event('opt_in', 'inbound_keyword', null));
          restored.push(...(await this.restore(tenantId, recipientToken, scope, message)));
          // Twilio already sent its re-subscribed reply: one reply, not two.
          if (!twilioAnswersKeyword(message, tenant, 'opt_in')) row.replyMessageId = reply('opt_in_confirmation');
          break;
        case 'help':
          if (!twilioAnswersKeyword(message, tenant, 'help')) row.replyMessageId = reply('help_reply');
          break;
        case 'message':
          break;
      }
      inbound.push(row);
    }

    await this.inboundMessages.insertInbound(inbound);
    await this.optOutReviews.insertReviews(reviews);
    const restoredIds = await this.consentRecords.insertRecords(restored);
    await this.publisher.publishRaw(consentRecordedChanges(restored, (x) => restoredIds.get(x.id) ?? x.id));
    const contexts = new Map(keyed.map((k) => [k.r.value.twilioSid, k.r.context]));
    await this.recorder.record(
      events,
      replies.map((x) => x.envelope),
      (item) => ('inboundTwilioSid' in item ? contexts.get(item.inboundTwilioSid ?? '') : replies.find((x) => x.envelope === item)?.record.context),
    );
    return { deadLetters };
  }

  /** START restores the consents the person had at that scope, with the inbound message as proof. */
  private async restore(tenantId: string, recipientToken: string, scope: string, message: InboundMessageEvent): Promise<NewConsentRecord[]> {
    const brand = scope.startsWith('brand:') ? scope.slice('brand:'.length) : null;
    const previous = await this.consentRecords.recordsForBrand(tenantId, recipientToken, brand);
    const wording = `Replied "${message.body.trim().slice(0, 200)}" to ${message.to}`;
    const wordingHash = createHash('sha256').update(wording).digest('hex');
    return previous.map((p) => ({
      id: randomUUID(),
      tenantId,
      brand: p.brand,
      campaign: p.campaign,
      recipient: p.recipient,
      recipientToken,
      basis: p.basis,
      source: 'sms_keyword',
      capturedAt: message.receivedAt,
      wording,
      wordingHash,
      wordingVersion: `sha256:${wordingHash.slice(0, 12)}`,
      evidence: { inboundMessageSid: message.twilioSid },
      channel: 'inbound',
      captureId: `inbound:${message.twilioSid}:${p.brand}:${p.campaign}:${p.basis}`,
      chosenFrequency: null,
    }));
  }
}
