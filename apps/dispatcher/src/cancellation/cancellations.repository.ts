import { Inject, Injectable } from '@nestjs/common';
import type { CancelRequestEvent, MessageStatus } from '@sms/contracts';
import type { OutgoingRecord } from '@sms/kafka';
import { DataSource } from 'typeorm';
import { OutboxRepository, type OutboxRow } from '../dispatch/outbox.repository.js';
import type { SendState } from '../dispatch/send.entity.js';
import { decideCancellation, type CancelDecision } from '../rules/cancellation.js';

export interface CancelAnswer {
  decision: CancelDecision;
  /** The request was seen before: this is its first answer again. */
  repeated: boolean;
  /** The answer, written to the outbox with the decision (none for a repeated request). */
  outbox: OutboxRow[];
}

/** Cancel requests (dispatcher.cancellations), decided against the send ledger's row. */
@Injectable()
export class CancellationsRepository {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
  ) {}

  /**
   * A cancel request, decided by the ledger in one transaction: the request is recorded, the
   * message's row (if it is here yet) is locked, and `decideCancellation` says cancelled or
   * refused. Locking the row orders the request against the hand-over before a call: whichever
   * commits first wins, so a message is either sent (the request refused) or never sent. A
   * request for a message not here yet stays recorded and stops it when it comes. A repeated
   * request (same id) gets its first answer.
   */
  async cancel(request: CancelRequestEvent, answer: (decision: CancelDecision) => OutgoingRecord | null): Promise<CancelAnswer> {
    return this.db.transaction(async (tx) => {
      const inserted: { request_id: string }[] = await tx.query(
        `INSERT INTO dispatcher.cancellations (request_id, message_id, tenant_id, requested_by, reason, requested_at, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
        [request.requestId, request.messageId, request.tenantId, JSON.stringify(request.requestedBy), request.reason ?? null, request.at],
      );
      if (inserted.length === 0) {
        const [seen] = await tx.query<{ outcome: 'cancelled' | 'refused'; outcome_reason: string; outcome_status: MessageStatus; tenant_id: string; message_id: string }[]>(
          `SELECT outcome, outcome_reason, outcome_status, tenant_id, message_id FROM dispatcher.cancellations WHERE request_id = $1`,
          [request.requestId],
        );
        if (seen && seen.message_id === request.messageId && seen.tenant_id === request.tenantId) {
          return {
            decision:
              seen.outcome === 'cancelled'
                ? { outcome: 'cancelled', stopRow: false, reason: seen.outcome_reason }
                : { outcome: 'refused', status: seen.outcome_status, reason: seen.outcome_reason, foreign: false },
            repeated: true,
            outbox: [],
          };
        }
        return { decision: { outcome: 'refused', status: 'accepted', reason: `request id ${request.requestId} was used for another message`, foreign: true }, repeated: true, outbox: [] };
      }
      const [row] = await tx.query<{ tenant_id: string; state: SendState; attempts: number; handed_attempt: number | null; twilio_sid: string | null; delivery_status: string | null }[]>(
        `SELECT tenant_id, state, attempts, handed_attempt, twilio_sid, delivery_status FROM dispatcher.sends WHERE message_id = $1 FOR UPDATE`,
        [request.messageId],
      );
      const decision = decideCancellation(
        row ? { tenantId: row.tenant_id, state: row.state, attempts: row.attempts, handedAttempt: row.handed_attempt, twilioSid: row.twilio_sid, deliveryStatus: row.delivery_status } : null,
        request.tenantId,
      );
      if (decision.outcome === 'cancelled' && decision.stopRow) {
        await tx.query(`UPDATE dispatcher.sends SET state = 'cancelled', error_message = $2, updated_at = now() WHERE message_id = $1`, [request.messageId, decision.reason]);
      }
      await tx.query(`UPDATE dispatcher.cancellations SET outcome = $2, outcome_reason = $3, outcome_status = $4 WHERE request_id = $1`, [
        request.requestId,
        decision.outcome,
        decision.reason,
        decision.outcome === 'cancelled' ? 'cancelled' : decision.status,
      ]);
      // The answer commits with the decision.
      const record = answer(decision);
      const outbox = record ? await this.outbox.write(tx, [{ messageId: request.messageId, record }]) : [];
      return { decision, repeated: false, outbox };
    });
  }
}
