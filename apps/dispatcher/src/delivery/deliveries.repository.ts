import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { DeliveryStatus } from '@sms/contracts';
import type { OutgoingRecord } from '@sms/kafka';
import { DataSource } from 'typeorm';
import { wakeQueues } from '../dispatch/ledger-sql.js';
import { OutboxRepository, type OutboxRow } from '../dispatch/outbox.repository.js';
import { toLedgerRow, type LedgerRow, type LedgerRowRaw } from '../dispatch/send-row.js';

/**
 * What the send ledger (dispatcher.sends) learns after Twilio took a send: delivery states from
 * callbacks and look-ups, and sends Twilio's queue gave back, queued again.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
  ) {}

  /**
   * Puts back in the queue sends that Twilio took and that never reached the person: failed in
   * its queue (30001), or stopped because of the account or the sender (63038, 30022, 30032,
   * 30034: `paused`, not counted against SEND_MAX_ATTEMPTS), due later. Only while the send
   * still holds that Twilio message (a repeated callback, or one of an earlier attempt, changes
   * nothing). The next attempt is a new Twilio message, so the SID and delivery state of this
   * one are cleared. One statement: the rows, their queues and their outbox records.
   */
  async requeueFromTwilioQueue(
    items: { messageId: string; twilioSid: string; attempts: number; dueAt: Date; errorCode: number; reason: string; paused?: boolean; records?: OutgoingRecord[] }[],
  ): Promise<Map<string, OutboxRow[]>> {
    if (items.length === 0) return new Map();
    const outbox = this.outbox.writeWith('back', new Map(items.map((i) => [i.messageId, i.records ?? []])), 8);
    const rows: { message_id: string; outbox_id: string | null }[] = await this.db.query(
      `WITH back AS (
         UPDATE dispatcher.sends s SET state = 'queued', due_at = v.due_at, twilio_sid = NULL, accepted_at = NULL, delivery_status = NULL,
                delivery_error_code = NULL, delivery_checked_at = NULL, error_code = v.error_code, error_message = v.reason,
                paused_attempts = s.paused_attempts + CASE WHEN v.paused THEN 1 ELSE 0 END, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::int[], $6::text[], $7::boolean[]) AS v(id, sid, attempts, due_at, error_code, reason, paused)
          WHERE s.message_id = v.id AND s.state = 'accepted' AND s.twilio_sid = v.sid AND s.attempts = v.attempts
          RETURNING s.message_id, s.sender_key, s.due_at),
       ${wakeQueues('back')},
       ${outbox.sql}
       ${outbox.select}`,
      [...columnsOf(items, ['messageId', 'twilioSid', 'attempts', 'dueAt', 'errorCode', 'reason', (i) => i.paused === true]), ...outbox.params],
    );
    return outbox.rows(rows);
  }

  /**
   * Sends Twilio took at least `olderThanMs` ago whose final callback has not come, not asked
   * about in that long either: each is marked as asked now (SKIP LOCKED, so instances share
   * them and no two ask about one message at once). Sends older than `maxAgeMs` are left alone.
   */
  async awaitingDelivery(olderThanMs: number, maxAgeMs: number, limit: number): Promise<LedgerRow[]> {
    const rows: LedgerRowRaw[] = await this.db.query(
      `WITH due AS (
         SELECT message_id FROM dispatcher.sends
          WHERE state = 'accepted' AND (delivery_status IS NULL OR delivery_status = 'sent')
            AND accepted_at < now() - make_interval(secs => $1::double precision / 1000)
            AND accepted_at > now() - make_interval(secs => $2::double precision / 1000)
            AND (delivery_checked_at IS NULL OR delivery_checked_at < now() - make_interval(secs => $1::double precision / 1000))
          ORDER BY coalesce(delivery_checked_at, accepted_at) LIMIT $3
          FOR UPDATE SKIP LOCKED),
       asked AS (
         UPDATE dispatcher.sends s SET delivery_checked_at = now() FROM due WHERE s.message_id = due.message_id RETURNING s.*)
       SELECT * FROM asked`,
      [olderThanMs, maxAgeMs, limit],
    );
    return rows.map(toLedgerRow);
  }

  /** Twilio's status callbacks, forward only: a late "sent" never undoes "delivered". */
  async recordDeliveries(events: { messageId: string; twilioSid: string | null; status: DeliveryStatus; errorCode: number | null }[]): Promise<void> {
    const rank = { sent: 1, delivered: 2, undelivered: 2, failed: 2 } as const;
    // The furthest state per Twilio message: one batch may carry a late callback of an earlier
    // attempt beside the current attempt's own report, and only the latter matches the row.
    const best = new Map<string, (typeof events)[number]>();
    for (const e of events) {
      const key = `${e.messageId} ${e.twilioSid ?? ''}`;
      const seen = best.get(key);
      if (!seen || rank[seen.status] < rank[e.status]) best.set(key, e);
    }
    const list = [...best.values()];
    if (list.length === 0) return;
    // Only onto the send that holds that Twilio message: after a message failed in Twilio's queue
    // (30001) and was sent again, a late callback of the first one must not settle the second.
    await this.db.query(
      `UPDATE dispatcher.sends s SET delivery_status = v.status, delivery_error_code = v.error_code
         FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[]) AS v(id, status, error_code, rank, sid)
        WHERE s.message_id = v.id AND (v.sid IS NULL OR s.twilio_sid = v.sid)
          AND (s.delivery_status IS NULL OR (CASE s.delivery_status WHEN 'sent' THEN 1 ELSE 2 END) < v.rank)`,
      [list.map((e) => e.messageId), list.map((e) => e.status), list.map((e) => e.errorCode), list.map((e) => rank[e.status]), list.map((e) => e.twilioSid)],
    );
  }
}
