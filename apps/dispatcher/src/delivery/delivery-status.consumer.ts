import { Controller, Inject, Logger } from '@nestjs/common';
import type { AlertEvent, ClauseId, DeliveryStatus, MessageEnvelope, StatusEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type OutgoingRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { backoffDelay } from '@sms/util';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { DispatchOutbox } from '../dispatch/dispatch-outbox.js';
import { scheduledStatus } from '../dispatch/outcome-records.js';
import { SendLedgerRepository } from '../dispatch/send-ledger.repository.js';
import { SendPauses } from '../dispatch/send-pauses.service.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { deliveryOutcome, pausedByStatus, retriedFromQueue } from '../rules/twilio-errors.js';
import { DeliveriesRepository } from './deliveries.repository.js';

const DELIVERY = new Set(['sent', 'delivered', 'undelivered', 'failed'] as const);
/**
 * Backoff (full jitter) of a message Twilio failed in its overflowing queue (30001): longer than
 * for a refused call, as that queue drains at the sender's rate; the claim then paces it again,
 * and holds back a sender whose queue at Twilio is deep.
 */
const QUEUE_OVERFLOW_RETRY = { initialMs: 5_000, maxMs: 600_000, multiplier: 2 };

/**
 * Twilio's status callbacks (from intake, on `sms.status.v1`): the ledger learns which sends
 * left Twilio's queue (per-sender backlog), a message Twilio failed in its queue without
 * sending it (30001, a Messaging Service's pool overloaded) is queued again (AUP.SERVICE_LIMITS),
 * one stopped because of the account or its sender (63038, 30022, 30032, 30034) pauses that
 * scope and waits with its other messages, and a carrier's content filtering (30007) becomes an
 * alert for the tenant's operators (MP.ENFORCEMENT).
 */
@Controller()
export class DeliveryStatusConsumer {
  private readonly logger = new Logger(DeliveryStatusConsumer.name);

  constructor(
    @Inject(DeliveriesRepository) private readonly deliveries: DeliveriesRepository,
    @Inject(SendLedgerRepository) private readonly ledger: SendLedgerRepository,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(SendPauses) private readonly pauses: SendPauses,
    @Inject(DispatchOutbox) private readonly outbox: DispatchOutbox,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {}

  @ConsumeTopic('status')
  async onStatus(records: ConsumedRecord<StatusEvent>[]): Promise<BatchOutcome> {
    const callbacks = records.filter((r) => (r.value.source === 'twilio-callback' || r.value.source === 'twilio-lookup') && DELIVERY.has(r.value.status as DeliveryStatus));
    const requeued = await this.requeueFromTwilio(callbacks);
    await this.deliveries.recordDeliveries(
      callbacks
        .filter((r) => !requeued.has(r.value.messageId))
        .map((r) => ({ messageId: r.value.messageId, twilioSid: r.value.twilioSid ?? null, status: r.value.status as DeliveryStatus, errorCode: r.value.errorCode ?? null })),
    );
    const alerts: OutgoingRecord[] = [];
    for (const r of callbacks) {
      const outcome = deliveryOutcome(this.rules.twilioErrors, r.value.errorCode);
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

  /**
   * Queues again the sends Twilio took that never reached the person, and publishes each as
   * `scheduled` with why:
   * - failed in its queue (30001 reaches us as a callback, not as an answer to the call, for
   *   Messaging Service sends: https://www.twilio.com/docs/api/errors/21611), with backoff, while
   *   the send has attempts left (else the failure stands);
   * - stopped because of the account or the sender (63038, 30022, 30032, 30034): the scope
   *   pauses (SendPauses) and the send waits for the pause to end, whatever its attempts.
   * Returns the ids queued again.
   */
  private async requeueFromTwilio(callbacks: ConsumedRecord<StatusEvent>[]): Promise<Set<string>> {
    const data = this.rules.twilioErrors;
    const candidates = callbacks.filter(
      (r) => r.value.twilioSid !== undefined && (retriedFromQueue(data, r.value.status, r.value.errorCode) || pausedByStatus(data, r.value.status, r.value.errorCode) !== null),
    );
    if (candidates.length === 0) return new Set();
    const rows = new Map((await this.ledger.find(candidates.map((r) => r.value.messageId))).map((row) => [row.messageId, row]));
    const items: {
      record: ConsumedRecord<StatusEvent>;
      envelope: MessageEnvelope;
      messageId: string;
      twilioSid: string;
      attempts: number;
      dueAt: Date;
      scheduledFor: Date | null;
      errorCode: number;
      reason: string;
      clauses: ClauseId[];
      paused: boolean;
    }[] = [];
    for (const r of candidates) {
      const row = rows.get(r.value.messageId);
      // Only the send that holds this Twilio message: a late callback of an earlier attempt changes nothing.
      if (!row || row.twilioSid !== r.value.twilioSid) continue;
      const errorCode = r.value.errorCode!;
      const base = { record: r, envelope: row.envelope, messageId: row.messageId, twilioSid: r.value.twilioSid, attempts: row.attempts, errorCode };
      const pause = pausedByStatus(data, r.value.status, errorCode);
      if (pause) {
        const paused = await this.pauses.hit(pause, errorCode, row.senderKey, row.tenantId, r.context);
        items.push({ ...base, dueAt: paused.dueAt, scheduledFor: paused.untilMs === null ? null : paused.dueAt, reason: paused.reason, clauses: paused.clauses, paused: true });
        continue;
      }
      const counted = row.attempts - row.pausedAttempts;
      if (counted >= this.config.SEND_MAX_ATTEMPTS) continue;
      const reason = `Twilio failed the message in its queue without sending it (error ${errorCode}, queue overflow); sending it again, paced (attempt ${counted} of ${this.config.SEND_MAX_ATTEMPTS})`;
      const dueAt = new Date(Date.now() + backoffDelay(counted - 1, QUEUE_OVERFLOW_RETRY));
      items.push({ ...base, dueAt, scheduledFor: dueAt, reason, clauses: ['AUP.SERVICE_LIMITS'], paused: false });
    }
    // Each `scheduled` commits with its requeue (the outbox), and is published from there.
    const back = await this.deliveries.requeueFromTwilioQueue(
      items.map((i) => ({ ...i, reason: i.reason.slice(0, 500), records: [scheduledStatus(i.envelope, i.scheduledFor, i.reason, i.clauses, i.record.context)] })),
    );
    for (const item of items) {
      if (!back.has(item.messageId)) continue;
      this.logger.warn({
        message: item.paused ? 'Twilio stopped the message because of its sender or the account; it waits for the pause to end' : "Twilio's queue overflowed; queued again",
        messageId: item.messageId,
        attempt: item.attempts,
        errorCode: item.errorCode,
      });
    }
    await this.outbox.publish([...back.values()].flat());
    return new Set(back.keys());
  }
}
