import { Controller, Inject } from '@nestjs/common';
import { appendVerdict, messagingServiceNumbers, type MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type OutgoingRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { CONSENT_CONFIG_TOKEN, type ConsentConfig } from '../config.js';
import { ConsentRepository, keyOf } from '../database/consent.repository.js';
import { decideConsent } from '../rules/decide-consent.js';

/** The consent stage: accepted messages in, consented or stopped messages out. */
@Controller()
export class ConsentDecisionsConsumer {
  constructor(
    @Inject(ConsentRepository) private readonly consents: ConsentRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(CONSENT_CONFIG_TOKEN) private readonly config: ConsentConfig,
  ) {}

  @ConsumeTopic('accepted')
  async onAccepted(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const keyed = records.map((r) => ({ r, tenantId: r.value.tenantId, recipientToken: this.pseudonyms.token(r.value.tenantId, r.value.message.to) }));
    const facts = await this.consents.factsFor(keyed);
    const now = new Date();
    const out: OutgoingRecord[] = keyed.map(({ r, tenantId, recipientToken }) => {
      const envelope = r.value;
      const decision = decideConsent(envelope, {
        ...facts.get(keyOf({ tenantId, recipientToken }))!,
        senderPool: messagingServiceNumbers(this.tenants.get(tenantId), envelope.message.messagingServiceSid),
        conversationWindowMs: this.config.CONVERSATION_WINDOW_HOURS * 3_600_000,
        now,
      });
      const next: MessageEnvelope = { ...appendVerdict(envelope, decision.verdict), ...(decision.receipt ? { consent: decision.receipt } : {}) };
      return record(decision.verdict.decision === 'pass' ? 'consented' : 'stopped', recipientToken, next, r.context);
    });
    await this.publisher.publishRaw(out);
    return {};
  }
}
