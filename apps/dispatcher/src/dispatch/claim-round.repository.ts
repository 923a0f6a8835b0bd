import { Injectable } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import type { EntityManager } from 'typeorm';
import type { RateBucket } from '../rules/sender-rate.js';
import { ACCOUNT_SCOPE } from '../rules/send-pauses.js';
import { returned } from './ledger-sql.js';
import { toLedgerRow, type LedgerRowRaw, type SendRow } from './send-row.js';

/** A due message, as a claim round reads it. */
export interface DueSend {
  messageId: string;
  senderKey: string;
  segments: number;
  envelope: MessageEnvelope;
  traceparent: string | null;
  recipientToken: string;
}

/** What a claim round read from the tables it locked: the messages it may claim, the limiter rows and counters. */
export interface ClaimRoundState {
  messages: DueSend[];
  freeAt: Map<string, number>;
  dailyCounts: Map<string, { segments: number; alerted: boolean }>;
  queuedAtTwilioMs: Map<string, number>;
}

/** What a claim round decided, to write before it commits. */
export interface ClaimRoundDecision {
  /** With the envelope the round read, so that the claim need not read it again. */
  claims: { messageId: string; startMs: number; buckets: RateBucket[]; envelope: MessageEnvelope }[];
  deferrals: { messageId: string; dueAtMs: number; reason: string }[];
  holds: { messageId: string; reason: string }[];
  /** Opted out since they were queued: blocked before they take a pacing slot. */
  blocks: { messageId: string; reason: string }[];
  freeAt: [string, number][];
  dailyCounts: Map<string, { segments: number; alerted: boolean }>;
  notBefore: Map<string, number>;
}

export interface ClaimedSend {
  row: SendRow;
  startMs: number;
  buckets: RateBucket[];
}

/**
 * The statements of a claim round, each run in the transaction of the round
 * (SendQueueService.round opens it and calls them in order): the senders it locks
 * (dispatcher.send_queues), their due sends, the limiter rows and daily counters it locks
 * (dispatcher.rate_buckets, dispatcher.daily_segments), and what it writes back.
 */
@Injectable()
export class ClaimRoundRepository {
  /**
   * Locks up to `limit` senders with messages due before `horizonEnd`, skipping senders another
   * instance holds (N instances share the senders) and senders whose sending is paused, or all
   * of them while the account is (send_pauses). Returns their keys.
   */
  async lockDueSenders(tx: EntityManager, horizonEnd: Date, limit: number): Promise<string[]> {
    const senders: { sender_key: string }[] = await tx.query(
      `SELECT q.sender_key FROM dispatcher.send_queues q
          WHERE q.next_at <= $1
            AND NOT EXISTS (SELECT 1 FROM dispatcher.send_pauses p
                             WHERE p.scope IN (q.sender_key, $3) AND (p.until IS NULL OR p.until > now()))
          ORDER BY q.next_at LIMIT $2 FOR UPDATE OF q SKIP LOCKED`,
      [horizonEnd, limit, ACCOUNT_SCOPE],
    );
    return senders.map((s) => s.sender_key);
  }

  /**
   * Up to `perSender` messages of each of these senders due by `now`. Answers to a person
   * (opt-out confirmations, HELP, conversational replies) go before the rest of their sender's queue.
   */
  async dueMessages(tx: EntityManager, senderKeys: string[], now: Date, perSender: number): Promise<DueSend[]> {
    const due: { message_id: string; sender_key: string; segments: number; envelope: MessageEnvelope; traceparent: string | null; recipient_token: string | null }[] = await tx.query(
      `SELECT q.message_id, q.sender_key, q.segments, e.envelope, q.traceparent, q.recipient_token
             FROM unnest($1::text[]) AS k(sender_key)
             CROSS JOIN LATERAL (
               SELECT s.message_id, s.sender_key, s.segments, s.traceparent, s.recipient_token, s.priority, s.due_at, s.created_at
                 FROM dispatcher.sends s
                WHERE s.sender_key = k.sender_key AND s.state = 'queued' AND s.due_at <= $2
                ORDER BY s.priority, s.due_at, s.created_at LIMIT $3) q
             JOIN dispatcher.send_envelopes e ON e.message_id = q.message_id
            ORDER BY q.priority, q.due_at, q.created_at`,
      [senderKeys, now, perSender],
    );
    return due.map((d) => ({
      messageId: d.message_id,
      senderKey: d.sender_key,
      segments: d.segments,
      envelope: d.envelope,
      traceparent: d.traceparent,
      recipientToken: d.recipient_token ?? '',
    }));
  }

  /**
   * Locks the limiter rows of these buckets (created when new), in key order so that instances
   * never deadlock: the rates hold across instances. Returns when each is free (epoch ms).
   */
  async lockBuckets(tx: EntityManager, wanted: string[]): Promise<Map<string, number>> {
    const buckets = [...new Set(wanted)].sort();
    if (buckets.length === 0) return new Map();
    await tx.query(
      `INSERT INTO dispatcher.rate_buckets (bucket, free_at, started_free_at) SELECT b, to_timestamp(0), to_timestamp(0) FROM unnest($1::text[]) AS b ORDER BY b
       ON CONFLICT (bucket) DO NOTHING`,
      [buckets],
    );
    const rows: { bucket: string; free_at: Date; started_free_at: Date }[] = await tx.query(
      `SELECT bucket, free_at, started_free_at FROM dispatcher.rate_buckets WHERE bucket = ANY($1::text[]) ORDER BY bucket FOR UPDATE`,
      [buckets],
    );
    // Plan from whichever is later: the last slot planned, or the last call that really started.
    return new Map(rows.map((r) => [r.bucket, Math.max(r.free_at.getTime(), r.started_free_at.getTime())]));
  }

  /** Locks the daily counters (created when new), in key order like the limiter rows; returns what each counted. */
  async lockCounters(tx: EntityManager, wanted: string[]): Promise<Map<string, { segments: number; alerted: boolean }>> {
    const counters = [...new Set(wanted)].sort();
    if (counters.length === 0) return new Map();
    await tx.query(
      `INSERT INTO dispatcher.daily_segments (counter, segments, alerted, updated_at) SELECT c, 0, false, now() FROM unnest($1::text[]) AS c ORDER BY c
       ON CONFLICT (counter) DO NOTHING`,
      [counters],
    );
    const rows: { counter: string; segments: number; alerted: boolean }[] = await tx.query(
      `SELECT counter, segments, alerted FROM dispatcher.daily_segments WHERE counter = ANY($1::text[]) ORDER BY counter FOR UPDATE`,
      [counters],
    );
    return new Map(rows.map((r) => [r.counter, { segments: r.segments, alerted: r.alerted }]));
  }

  /**
   * How long the oldest send of each sender has waited in Twilio's queue (taken, not reported
   * sent on, within the last `windowSeconds`; one index seek per sender).
   */
  async queuedAtTwilio(tx: EntityManager, senderKeys: string[], windowSeconds: number): Promise<Map<string, number>> {
    const oldest: { sender_key: string; waited_ms: number }[] = await tx.query(
      `SELECT k.sender_key, (extract(epoch FROM now() - o.accepted_at) * 1000)::float8 AS waited_ms
             FROM unnest($1::text[]) AS k(sender_key)
             CROSS JOIN LATERAL (
               SELECT s.accepted_at FROM dispatcher.sends s
                WHERE s.sender_key = k.sender_key AND s.state = 'accepted' AND s.delivery_status IS NULL
                  AND s.accepted_at > now() - make_interval(secs => $2::double precision)
                ORDER BY s.accepted_at LIMIT 1) o`,
      [senderKeys, windowSeconds],
    );
    return new Map(oldest.map((r) => [r.sender_key, r.waited_ms]));
  }

  /**
   * Writes what the round decided: the limiter rows and counters moved on, claimed sends
   * `sending` (the attempt counted) held by `instanceId`, deferrals, holds and blocks, and when
   * to look at each sender again. Returns the claimed sends.
   */
  async writeDecision(tx: EntityManager, senderKeys: string[], d: ClaimRoundDecision, instanceId: string): Promise<ClaimedSend[]> {
    if (d.freeAt.length > 0) {
      await tx.query(
        `UPDATE dispatcher.rate_buckets b SET free_at = v.free_at
           FROM unnest($1::text[], $2::timestamptz[]) AS v(bucket, free_at) WHERE b.bucket = v.bucket`,
        // Rounded up to the millisecond a Date holds: rounding down would let a rate creep up.
        [d.freeAt.map(([k]) => k), d.freeAt.map(([, ms]) => new Date(Math.ceil(ms)))],
      );
    }
    if (d.dailyCounts.size > 0) {
      const counts = [...d.dailyCounts];
      await tx.query(
        `UPDATE dispatcher.daily_segments c SET segments = v.segments, alerted = v.alerted, updated_at = now()
           FROM unnest($1::text[], $2::int[], $3::boolean[]) AS v(counter, segments, alerted) WHERE c.counter = v.counter`,
        [counts.map(([k]) => k), counts.map(([, v]) => v.segments), counts.map(([, v]) => v.alerted)],
      );
    }
    let claimed: ClaimedSend[] = [];
    if (d.claims.length > 0) {
      const planned = new Map(d.claims.map((c) => [c.messageId, c]));
      const rows = returned<LedgerRowRaw>(
        await tx.query(
          `UPDATE dispatcher.sends s SET state = 'sending', attempts = s.attempts + 1, claimed_by = $2, updated_at = now()
            WHERE s.message_id = ANY($1::uuid[]) AND s.state = 'queued' RETURNING s.*`,
          [d.claims.map((c) => c.messageId), instanceId],
        ),
      );
      claimed = rows.map((r) => {
        const plan = planned.get(r.message_id)!;
        return { row: { ...toLedgerRow(r), envelope: plan.envelope }, startMs: plan.startMs, buckets: plan.buckets };
      });
    }
    if (d.deferrals.length > 0) {
      await tx.query(
        `UPDATE dispatcher.sends s SET due_at = v.due_at, deferral = v.reason, updated_at = now()
           FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v(id, due_at, reason) WHERE s.message_id = v.id AND s.state = 'queued'`,
        [d.deferrals.map((x) => x.messageId), d.deferrals.map((x) => new Date(x.dueAtMs)), d.deferrals.map((x) => x.reason)],
      );
    }
    for (const [state, list] of [
      ['held', d.holds],
      ['blocked', d.blocks],
    ] as const) {
      if (list.length === 0) continue;
      await tx.query(
        `UPDATE dispatcher.sends s SET state = $3, error_message = v.reason, updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS v(id, reason) WHERE s.message_id = v.id AND s.state = 'queued'`,
        [list.map((x) => x.messageId), list.map((x) => x.reason), state],
      );
    }
    // Look at each sender again at its next due message, not before pacing or Twilio's queue allows.
    await tx.query(
      `UPDATE dispatcher.send_queues q
          SET next_at = GREATEST(v.not_before, COALESCE(
                (SELECT min(s.due_at) FROM dispatcher.sends s WHERE s.sender_key = q.sender_key AND s.state = 'queued'), 'infinity'::timestamptz))
         FROM unnest($1::text[], $2::timestamptz[]) AS v(sender_key, not_before) WHERE q.sender_key = v.sender_key`,
      [senderKeys, senderKeys.map((k) => new Date(d.notBefore.get(k) ?? 0))],
    );
    return claimed;
  }
}
