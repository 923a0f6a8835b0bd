import { Controller, Inject } from '@nestjs/common';
import { defaultTenantSettings, messagingServiceNumbers, type MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, routeStep, withRecipientTokens, type BatchOutcome, type ConsumedRecord, type OutgoingRecord, type StageRoute } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { hasStandardOptOutWording } from '@sms/text';
import { CONSENT_CONFIG_TOKEN, type ConsentConfig } from '../config.js';
import { ageOn } from '../rules/age.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { decideConsent } from '../rules/decide-consent.js';
import { MessageDecisionsRepository, type NewDecision } from './message-decisions.repository.js';
import { keyOf, RecipientFactsRepository } from './recipient-facts.repository.js';

const ROUTE: StageRoute = { next: 'consented' };

/** The consent stage: accepted messages in, consented (with a receipt) or stopped messages out. */
@Controller()
export class ConsentDecisionsConsumer {
  constructor(
    @Inject(RecipientFactsRepository) private readonly recipientFacts: RecipientFactsRepository,
    @Inject(MessageDecisionsRepository) private readonly messageDecisions: MessageDecisionsRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(CONSENT_CONFIG_TOKEN) private readonly config: ConsentConfig,
    @Inject(RULE_DATA) private readonly ruleData: RuleData,
  ) {}

  @ConsumeTopic('accepted')
  async onAccepted(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const { keyed: tokens, deadLetters } = withRecipientTokens(records);
    const keyed = tokens.map(({ record: r, recipientToken }) => ({ r, tenantId: r.value.tenantId, recipientToken }));
    const facts = await this.recipientFacts.factsFor(keyed);
    const now = new Date();
    const out: OutgoingRecord[] = [];
    const passed: NewDecision[] = [];
    // Records of one batch are decided in order, each seeing the ones before it (caps count them).
    for (const { r, tenantId, recipientToken } of keyed) {
      const envelope = r.value;
      const tenant = this.tenants.get(tenantId);
      const known = facts.get(keyOf({ tenantId, recipientToken }))!;
      const recent = known.recent.filter((m) => m.messageId !== envelope.id && m.brand === envelope.message.brand);
      const decision = decideConsent(envelope, {
        records: known.records,
        optStates: known.optStates,
        inbound: known.inbound,
        history: { sentBefore: known.sentBrands.has(envelope.message.brand), recent },
        senderPool: messagingServiceNumbers(tenant, envelope.message.messagingServiceSid),
        campaign: tenant?.campaigns.find((c) => c.id === envelope.message.campaign),
        settings: tenant?.settings ?? defaultTenantSettings(),
        policy: this.ruleData.policy,
        conversationWindowMs: this.config.CONVERSATION_WINDOW_HOURS * 3_600_000,
        now,
      });
      const verifiedAge = known.dateOfBirth ? ageOn(known.dateOfBirth, now) : undefined;
      const withConsent: MessageEnvelope = {
        ...envelope,
        recipient: { ...envelope.recipient, ...(verifiedAge !== undefined ? { verifiedAge } : {}) },
        ...(decision.receipt ? { consent: decision.receipt } : {}),
      };
      const routed = routeStep(ROUTE, { envelope: withConsent, verdict: decision.verdict, recipientToken, context: r.context });
      if (routed.goesOn) {
        const entry: NewDecision = {
          messageId: envelope.id,
          tenantId,
          recipientToken,
          brand: envelope.message.brand,
          campaign: envelope.message.campaign,
          useCase: envelope.message.useCase,
          sender: envelope.message.from ?? null,
          optOutLanguage: hasStandardOptOutWording(routed.envelope.message.body),
          decidedAt: now.toISOString(),
        };
        passed.push(entry);
        known.recent.unshift({ messageId: entry.messageId, brand: entry.brand, campaign: entry.campaign, useCase: entry.useCase, at: entry.decidedAt, optOutLanguage: entry.optOutLanguage });
      }
      out.push(routed.record);
    }
    await this.messageDecisions.recordDecisions(passed);
    await this.publisher.publishRaw(out);
    return { deadLetters };
  }
}
