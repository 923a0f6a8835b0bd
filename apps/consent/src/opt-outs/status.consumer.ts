import { Controller, Inject } from '@nestjs/common';
import { twilioErrorMeansOptOut, type StatusEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { randomUUID } from 'node:crypto';
import { MessageDecisionsRepository } from '../decisions/message-decisions.repository.js';
import { keyOf, RecipientFactsRepository } from '../decisions/recipient-facts.repository.js';
import { scopeForTwilioOptOut } from '../rules/opt-out-scope.js';
import type { NewOptEvent } from './opt-events.repository.js';
import { OptOutRecorder } from './opt-out-recorder.js';

const REACHED_TWILIO = new Set(['sending', 'sent', 'delivered']);

/**
 * What happened to messages after consent: a message that reached Twilio makes later ones
 * "not the first" for its brand; a send Twilio refused with 21610 records an opt-out with
 * Twilio as its source (MP.OPTOUT.HONOR).
 */
@Controller()
export class StatusConsumer {
  constructor(
    @Inject(MessageDecisionsRepository) private readonly messageDecisions: MessageDecisionsRepository,
    @Inject(RecipientFactsRepository) private readonly recipientFacts: RecipientFactsRepository,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(OptOutRecorder) private readonly recorder: OptOutRecorder,
  ) {}

  @ConsumeTopic('status')
  async onStatus(records: ConsumedRecord<StatusEvent>[]): Promise<BatchOutcome> {
    await this.messageDecisions.markSent(records.filter((r) => REACHED_TWILIO.has(r.value.status)).map((r) => ({ messageId: r.value.messageId, at: r.value.at })));

    // Twilio's error table says which refusal means the person unsubscribed from the sender (21610).
    const refused = records.filter((r) => r.value.status === 'failed' && twilioErrorMeansOptOut(r.value.errorCode));
    if (refused.length === 0) return {};
    const decisions = await this.messageDecisions.findDecisions(refused.map((r) => r.value.messageId));
    const facts = await this.recipientFacts.factsFor(decisions);
    const events: NewOptEvent[] = [];
    for (const d of decisions) {
      const tenant = this.tenants.get(d.tenantId);
      if (!tenant) continue;
      const scope = scopeForTwilioOptOut(tenant, d.sender, d.brand);
      // Already opted out there (a STOP Twilio also read): its refusal confirms what we recorded, and adds no second opt-out.
      if (facts.get(keyOf(d))?.optStates.find((s) => s.scope === scope)?.state === 'opted_out') continue;
      const status = refused.find((r) => r.value.messageId === d.messageId)!.value;
      events.push({
        id: randomUUID(),
        tenantId: d.tenantId,
        recipientToken: d.recipientToken,
        scope,
        kind: 'opt_out',
        source: 'twilio_error_21610',
        keyword: null,
        // Keyed by the refused message, so a redelivered status records the opt-out once.
        inboundTwilioSid: `twilio-21610:${d.messageId}`,
        evidence: status.errorMessage ?? `Twilio refused message ${d.messageId} with error 21610`,
        confidence: 1,
        replyMessageId: null,
        at: status.at,
      });
    }
    await this.recorder.record(events, [], (e) => refused.find((r) => 'inboundTwilioSid' in e && e.inboundTwilioSid === `twilio-21610:${r.value.messageId}`)?.context);
    return {};
  }
}
