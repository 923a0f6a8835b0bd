import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { MessageEnvelope } from '@sms/contracts';
import type { OutgoingRecord } from '@sms/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { CLAIM_LAPSED, returned, wakeQueues } from './ledger-sql.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';
import { SEND_ROW_COLUMNS, toRow, type SendRow, type SendRowRaw } from './send-row.js';
import type { SendState } from './send.entity.js';

/** A message given to the dispatcher, as it is queued. */
export interface NewSend {
  envelope: MessageEnvelope;
  senderKey: string;
  segments: number;
  recipientToken: string;
  traceparent: string | null;
  dueAt: Date;
  deferral: string | null;
  /** Held at once (no time can be found for it): never queued. */
  held: boolean;
  /** 0: an answer to the person (system message, conversational reply), sent before the rest of its sender's queue; 1: the rest. */
  priority: number;
  /** What queuing it decided (scheduled, held): written to the outbox when it is queued. */
  records: OutgoingRecord[];
}

/** The end of a claimed send, written only by the holder of the claim (same attempt number). */
export interface SendOutcome {
  messageId: string;
  attempts: number;
  /** `blocked` or `held`: stopped by the last-moment check (an opt-out; a pause of marketing). */
  state: 'accepted' | 'failed' | 'blocked' | 'held';
  twilioSid: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** When the limiter let the call start (database clock, epoch ms); null when no call was made. */
  startedAtMs: number | null;
  /** Its records (status, stopped envelope), written to the outbox with it. */
  records?: OutgoingRecord[];
}

/** The limiter's last check before a call, for one claimed message. */
export interface AdmitRequest {
  messageId: string;
  attempts: number;
  buckets: { key: string; segmentsPerSecond: number }[];
  segments: number;
}

/** Go (handed to Twilio from now), ask again later, or gone: cancelled or no longer this claim. */
export type AdmitAnswer = { go: true; waitMs: number; startAtMs: number } | { go: false; retryInMs: number } | { go: false; gone: true };

/** PostgreSQL's SQLSTATE for a unique index refusing a row. */
const UNIQUE_VIOLATION = '23505';

/**
 * The send ledger (dispatcher.sends) and the queues it wakes (dispatcher.send_queues): messages
 * queued, released, claimed sends handed to Twilio by the limiter's last check, renewed, put back
 * or completed.
 */
@Injectable()
export class SendLedgerRepository {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
  ) {}

  /** Opens pool connections ahead of the first sends. */
  async warmUp(connections: number): Promise<void> {
    await Promise.all(Array.from({ length: connections }, () => this.db.query('SELECT 1')));
  }

  /**
   * Opt-out confirmations to these recipients that went (or are going) to Twilio after the
   * given time, other than the given message: MP.OPTOUT.HONOR allows one per opt-out.
   */
  async confirmationsSince(items: { tenantId: string; recipientToken: string; since: Date; messageId: string }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const rows: { message_id: string }[] = await this.db.query(
      `SELECT DISTINCT k.message_id FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::uuid[]) AS k(tenant_id, recipient_token, since, message_id)
         JOIN dispatcher.sends s ON s.tenant_id = k.tenant_id AND s.recipient_token = k.recipient_token AND s.kind = 'opt_out_confirmation'
        WHERE s.message_id <> k.message_id AND s.created_at >= k.since AND s.state IN ('sending', 'accepted')`,
      [items.map((i) => i.tenantId), items.map((i) => i.recipientToken), items.map((i) => i.since), items.map((i) => i.messageId)],
    );
    return new Set(rows.map((r) => r.message_id));
  }

  /**
   * Queues messages (one statement): a message already in the ledger (a redelivery) is not
   * queued again, and one its tenant cancelled before it came is written cancelled, never
   * queued. Returns the ids this call queued (or held) and those it wrote cancelled.
   */
  async enqueue(sends: NewSend[]): Promise<{ queued: Set<string>; cancelled: Set<string>; outbox: OutboxRow[] }> {
    if (sends.length === 0) return { queued: new Set(), cancelled: new Set(), outbox: [] };
    return this.db.transaction(async (tx) => {
      // The ledger row and, written once beside it, the envelope (kept out of the row that changes).
      const rows: { message_id: string; state: SendState }[] = await tx.query(
        `WITH t AS (
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::boolean[], $12::int[])
             WITH ORDINALITY AS t(id, tenant_id, sender_key, due_at, segments, kind, token, traceparent, deferral, envelope, held, priority, n)),
         added AS (
           INSERT INTO dispatcher.sends (message_id, tenant_id, state, sender_key, priority, due_at, segments, kind, recipient_token, traceparent,
                                         deferral, error_message, attempts, created_at, updated_at)
           SELECT id, tenant_id,
                  CASE WHEN EXISTS (SELECT 1 FROM dispatcher.cancellations c WHERE c.message_id = t.id AND c.tenant_id = t.tenant_id AND c.outcome = 'cancelled')
                       THEN 'cancelled' WHEN held THEN 'held' ELSE 'queued' END,
                  sender_key, priority, due_at, segments, kind, token, traceparent,
                  deferral, CASE WHEN held THEN deferral END, 0, now(), now()
             FROM t ORDER BY n
           ON CONFLICT (message_id) DO NOTHING
           RETURNING message_id, sender_key, due_at, state),
         envelopes AS (
           INSERT INTO dispatcher.send_envelopes (message_id, envelope)
           SELECT DISTINCT ON (t.id) t.id, t.envelope FROM t JOIN added a ON a.message_id = t.id ORDER BY t.id, t.n),
         ${wakeQueues('added', "WHERE state = 'queued'")}
         SELECT message_id, state FROM added`,
        columnsOf(sends, [
          (s) => s.envelope.id,
          (s) => s.envelope.tenantId,
          'senderKey',
          'dueAt',
          'segments',
          (s) => s.envelope.kind,
          'recipientToken',
          'traceparent',
          'deferral',
          (s) => JSON.stringify(s.envelope),
          'held',
          'priority',
        ]),
      );
      const queued = new Set(rows.filter((r) => r.state !== 'cancelled').map((r) => r.message_id));
      const outbox = await this.outbox.writeFor(tx, queued, new Map(sends.map((s) => [s.envelope.id, s.records])));
      return { queued, cancelled: new Set(rows.filter((r) => r.state === 'cancelled').map((r) => r.message_id)), outbox: [...outbox.values()].flat() };
    });
  }

  /**
   * Queues again, due now, held messages a reviewer released, with the envelope that carries
   * the release (one statement). Only a release newer than the envelope the row holds counts:
   * a redelivered earlier release never undoes a later hold. Returns the ids queued again.
   */
  async release(envelopes: MessageEnvelope[]): Promise<Set<string>> {
    if (envelopes.length === 0) return new Set();
    const rows: { message_id: string }[] = await this.db.query(
      `WITH back AS (
         UPDATE dispatcher.sends s SET state = 'queued', due_at = now(), deferral = NULL, error_message = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::jsonb[]) AS v(id, envelope), dispatcher.send_envelopes e
          WHERE s.message_id = v.id AND e.message_id = v.id AND s.state = 'held'
            AND jsonb_array_length(e.envelope->'verdicts') < jsonb_array_length(v.envelope->'verdicts')
          RETURNING s.message_id, s.sender_key, s.due_at, v.envelope),
       envelopes AS (
         UPDATE dispatcher.send_envelopes e SET envelope = back.envelope FROM back WHERE e.message_id = back.message_id),
       ${wakeQueues('back')}
       SELECT message_id FROM back`,
      [envelopes.map((e) => e.id), envelopes.map((e) => JSON.stringify(e))],
    );
    return new Set(rows.map((r) => r.message_id));
  }

  async find(messageIds: string[]): Promise<SendRow[]> {
    if (messageIds.length === 0) return [];
    const rows: SendRowRaw[] = await this.db.query(
      `SELECT ${SEND_ROW_COLUMNS} FROM dispatcher.sends s JOIN dispatcher.send_envelopes e ON e.message_id = s.message_id WHERE s.message_id = ANY($1::uuid[])`,
      [messageIds],
    );
    return rows.map(toRow);
  }

  /**
   * The check right before calls (one transaction for many): a call starts when every bucket
   * it counts against is free by the database's clock, at the latest `aheadMs` from now, and
   * then holds each for its segments / rate from that start. Answers, per request in order:
   * go after `waitMs` (booked), or ask again after `retryInMs` (not booked). The slot is booked
   * from the moment the call really goes, so a call that goes late pushes the next one back, in
   * whichever instance that one is.
   */
  async admit(requests: AdmitRequest[], aheadMs: number): Promise<AdmitAnswer[]> {
    const keys = [...new Set(requests.flatMap((r) => r.buckets.map((b) => b.key)))].sort();
    return this.db.transaction(async (tx) => {
      if (keys.length === 0) {
        const handed = await this.handOver(tx, requests);
        return requests.map((r) => (handed.has(r.messageId) ? { go: true, waitMs: 0, startAtMs: Date.now() } : { go: false, gone: true }));
      }
      const rows: { bucket: string; started_free_at: Date; now: Date }[] = await tx.query(
        `SELECT bucket, started_free_at, clock_timestamp() AS now FROM dispatcher.rate_buckets WHERE bucket = ANY($1::text[]) ORDER BY bucket FOR UPDATE`,
        [keys],
      );
      const now = rows[0]?.now.getTime() ?? Date.now();
      const free = new Map(rows.map((r) => [r.bucket, r.started_free_at.getTime()]));
      const answers = requests.map((r): AdmitAnswer => {
        const start = Math.max(now, ...r.buckets.map((b) => free.get(b.key) ?? -Infinity));
        if (start - now > aheadMs) return { go: false, retryInMs: start - now - aheadMs };
        for (const b of r.buckets) free.set(b.key, start + (r.segments * 1000) / b.segmentsPerSecond);
        return { go: true, waitMs: start - now, startAtMs: start };
      });
      const changed = [...free].filter(([key, ms]) => rows.find((r) => r.bucket === key)?.started_free_at.getTime() !== ms);
      if (changed.length > 0) {
        await tx.query(`UPDATE dispatcher.rate_buckets b SET started_free_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(bucket, at) WHERE b.bucket = v.bucket`, [
          changed.map(([k]) => k),
          changed.map(([, ms]) => new Date(Math.ceil(ms))),
        ]);
      }
      // The calls that go are handed to Twilio from here: a cancel request after this is refused.
      const going = requests.filter((_, i) => answers[i]!.go);
      const handed = await this.handOver(tx, going);
      return answers.map((a, i) => (a.go && !handed.has(requests[i]!.messageId) ? { go: false, gone: true } : a));
    });
  }

  /**
   * Marks claims as handed to Twilio (the call begins now), under their claim (same attempt,
   * still sending), unless their tenant cancelled them: those are written cancelled instead. A
   * cancel request that locked the row first left it cancelled, and it is not ours any more; one
   * that comes after this commits finds it handed and is refused. Returns the ids handed.
   */
  private async handOver(tx: EntityManager, claims: { messageId: string; attempts: number }[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const rows = returned<{ message_id: string; state: SendState }>(
      await tx.query(
        `WITH cancelled AS (
           SELECT c.message_id, c.tenant_id FROM dispatcher.cancellations c WHERE c.message_id = ANY($1::uuid[]) AND c.outcome = 'cancelled')
         UPDATE dispatcher.sends s
            SET state = CASE WHEN x.cancelled THEN 'cancelled' ELSE 'sending' END,
                handed_attempt = CASE WHEN x.cancelled THEN s.handed_attempt ELSE s.attempts END,
                error_message = CASE WHEN x.cancelled THEN 'cancelled before it was handed to Twilio' ELSE s.error_message END,
                updated_at = now()
           FROM (SELECT v.id, v.attempts, t.tenant_id, EXISTS (SELECT 1 FROM cancelled c WHERE c.message_id = v.id AND c.tenant_id = t.tenant_id) AS cancelled
                   FROM unnest($1::uuid[], $2::int[]) AS v(id, attempts)
                   JOIN dispatcher.sends t ON t.message_id = v.id) x
          WHERE s.message_id = x.id AND s.tenant_id = x.tenant_id AND s.state = 'sending' AND s.attempts = x.attempts
          RETURNING s.message_id, s.state`,
        [claims.map((c) => c.messageId), claims.map((c) => c.attempts)],
      ),
    );
    return new Set(rows.filter((r) => r.state === 'sending').map((r) => r.message_id));
  }

  /**
   * Writes the outcome of claimed sends, only where the claim is still the writer's (same
   * attempt, still sending): a claim another instance took over is never overwritten. One
   * statement for the batch: the ledger's rows and their outbox records together.
   */
  async complete(outcomes: SendOutcome[]): Promise<Map<string, OutboxRow[]>> {
    if (outcomes.length === 0) return new Map();
    const outbox = this.outbox.writeWith('done', new Map(outcomes.map((o) => [o.messageId, o.records ?? []])), 8);
    const rows: { message_id: string; outbox_id: string | null }[] = await this.db.query(
      `WITH done AS (
         UPDATE dispatcher.sends s
            SET state = r.state, twilio_sid = r.twilio_sid, error_code = r.error_code, error_message = r.error_message,
                accepted_at = CASE WHEN r.state = 'accepted' THEN now() END, started_at = r.started_at, updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::timestamptz[])
                AS r(message_id, attempts, state, twilio_sid, error_code, error_message, started_at)
          WHERE s.message_id = r.message_id AND s.state = 'sending' AND s.attempts = r.attempts
          RETURNING s.message_id),
       ${outbox.sql}
       ${outbox.select}`,
      [...columnsOf(outcomes, ['messageId', 'attempts', 'state', 'twilioSid', 'errorCode', 'errorMessage', (o) => (o.startedAtMs !== null ? new Date(o.startedAtMs) : null)]), ...outbox.params],
    );
    return outbox.rows(rows);
  }

  /**
   * Puts claimed sends Twilio did not take back in the queue, due later (retries are paced
   * like first attempts). An attempt a pause answered (`paused`) is counted as such, so that it
   * does not count against SEND_MAX_ATTEMPTS. With `inDoubt` (the reconciler), only a claim in
   * doubt: untouched for `olderThanMs`, and held by no live instance but (abandoned) `by`'s own.
   * One statement: the rows, their queues and their outbox records.
   */
  async requeue(
    items: { messageId: string; attempts: number; dueAt: Date; reason: string; paused?: boolean; records?: OutgoingRecord[] }[],
    inDoubt?: { olderThanMs: number; by: string },
  ): Promise<Map<string, OutboxRow[]>> {
    if (items.length === 0) return new Map();
    const outbox = this.outbox.writeWith('back', new Map(items.map((i) => [i.messageId, i.records ?? []])), 8);
    const rows: { message_id: string; outbox_id: string | null }[] = await this.db.query(
      `WITH back AS (
         UPDATE dispatcher.sends s SET state = 'queued', due_at = v.due_at, error_message = v.reason,
                paused_attempts = s.paused_attempts + CASE WHEN v.paused THEN 1 ELSE 0 END, updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $6::boolean[]) AS v(id, attempts, due_at, reason, paused)
          WHERE s.message_id = v.id AND s.state = 'sending' AND s.attempts = v.attempts
            AND ($5::double precision IS NULL OR (s.updated_at < now() - make_interval(secs => $5::double precision / 1000) AND ${CLAIM_LAPSED('s', '$7')}))
          RETURNING s.message_id, s.sender_key, s.due_at),
       ${wakeQueues('back')},
       ${outbox.sql}
       ${outbox.select}`,
      [
        items.map((i) => i.messageId),
        items.map((i) => i.attempts),
        items.map((i) => i.dueAt),
        items.map((i) => i.reason),
        inDoubt?.olderThanMs ?? null,
        items.map((i) => i.paused === true),
        inDoubt?.by ?? null,
        ...outbox.params,
      ],
    );
    return outbox.rows(rows);
  }

  /**
   * Settles a send in doubt with the Twilio message a lookup found, unless another send holds
   * that message already (the unique index decides between two lookups at once); true when written.
   */
  async settleFound(messageId: string, attempts: number, twilioSid: string, startedAtMs: number | null, records: OutgoingRecord[]): Promise<OutboxRow[] | null> {
    try {
      const written = await this.complete([{ messageId, attempts, state: 'accepted', twilioSid, errorCode: null, errorMessage: null, startedAtMs, records }]);
      return written.get(messageId) ?? null;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  /** Which of these Twilio messages a send in the ledger holds already. */
  async heldSids(sids: string[]): Promise<Set<string>> {
    if (sids.length === 0) return new Set();
    const rows: { twilio_sid: string }[] = await this.db.query(`SELECT twilio_sid FROM dispatcher.sends WHERE twilio_sid = ANY($1::text[])`, [sids]);
    return new Set(rows.map((r) => r.twilio_sid));
  }

  /**
   * Claims in doubt: untouched (not taken nor handed to Twilio) for `olderThanMs`, whose instance
   * stopped renewing its lease (it died between the claim and Twilio's answer), or that `by`
   * itself holds but no longer works on (`held` are those it does).
   */
  async inDoubt(olderThanMs: number, limit: number, by: string, held: string[]): Promise<SendRow[]> {
    const rows: SendRowRaw[] = await this.db.query(
      `SELECT ${SEND_ROW_COLUMNS} FROM dispatcher.sends s JOIN dispatcher.send_envelopes e ON e.message_id = s.message_id
        WHERE s.state = 'sending' AND s.updated_at < now() - make_interval(secs => $1::double precision / 1000)
          AND ${CLAIM_LAPSED('s', '$3')} AND NOT (s.claimed_by = $3 AND s.message_id = ANY($4::uuid[]))
        ORDER BY md5(s.message_id::text || $3::text) LIMIT $2`,
      [olderThanMs, limit, by, held],
    );
    return rows.map(toRow);
  }
}
