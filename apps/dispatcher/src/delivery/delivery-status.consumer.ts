import { Controller, Inject, Logger } from '@nestjs/common';
import type { AlertEvent, DeliveryStatus, StatusEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type OutgoingRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { DispatchRepository } from '../database/dispatch.repository.js';
import { DispatchPolicy } from '../dispatch/dispatch-policy.js';
import { deliveryOutcome } from '../rules/twilio-errors.js';

const DELIVERY = new Set(['sent', 'delivered', 'undelivered', 'failed'] as const);

/**
 * Twilio's status callbacks (from intake, on `sms.status.v1`): the ledger learns which sends
 * left Twilio's queue (per-sender backlog), and a carrier's content filtering (30007) becomes
 * an alert for the tenant's operators (MP.ENFORCEMENT).
 */
@Controller()
export class DeliveryStatusConsumer {
  private readonly logger = new Logger(DeliveryStatusConsumer.name);

  constructor(
    @Inject(DispatchRepository) private readonly ledger: DispatchRepository,
    @Inject(DispatchPolicy) private readonly policy: DispatchPolicy,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  @ConsumeTopic('status')
  async onStatus(records: ConsumedRecord<StatusEvent>[]): Promise<BatchOutcome> {
    const callbacks = records.filter((r) => (r.value.source === 'twilio-callback' || r.value.source === 'twilio-lookup') && DELIVERY.has(r.value.status as DeliveryStatus));
    await this.ledger.recordDeliveries(callbacks.map((r) => ({ messageId: r.value.messageId, status: r.value.status as DeliveryStatus, errorCode: r.value.errorCode ?? null })));
    const alerts: OutgoingRecord[] = [];
    for (const r of callbacks) {
      const outcome = deliveryOutcome(this.policy.rules.twilioErrors, r.value.errorCode);
      if (outcome?.alert !== 'content_filtered') continue;
      const alert: AlertEvent = {
        alertId: `content_filtered:${r.value.messageId}`,
        tenantId: r.value.tenantId,
        kind: 'content_filtered',
        severity: 'critical',
        clauses: outcome.clauses.length > 0 ? outcome.clauses : ['MP.ENFORCEMENT'],
        reason: `${outcome.reason} (Twilio error ${r.value.errorCode})`,
        messageId: r.value.messageId,
        ...(r.value.twilioSid ? { twilioSid: r.value.twilioSid } : {}),
        ...(r.value.errorCode !== undefined ? { errorCode: r.value.errorCode } : {}),
        at: new Date().toISOString(),
      };
      this.logger.warn({ message: 'content alert', tenantId: alert.tenantId, messageId: alert.messageId, errorCode: alert.errorCode });
      alerts.push(record('alerts', alert.tenantId, alert, r.context));
    }
    await this.publisher.publishRaw(alerts);
    return {};
  }
}
