import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CancelRequestEvent, ConsentStateEvent, DeliveryStatus, MessageEnvelope, MessageStatus } from '@sms/contracts';
import { claimUnpublishedSql, type OutboxLease } from '@sms/database';
import type { OutgoingRecord } from '@sms/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { decideCancellation, type CancelDecision } from '../rules/cancellation.js';
import type { RateBucket } from '../rules/sender-rate.js';
import { ACCOUNT_SCOPE, type PauseState } from '../rules/send-pauses.js';
import type { SendState } from './send.entity.js';

/**
 * The CTE that brings each sender's queue forward to the earliest due time among the rows
 * `source` (a CTE of message_id, sender_key, due_at) returned: how every statement that queues
 * sends tells the claim rounds when to look.
 */
const wakeQueues = (source: string, filter = '') => `queues AS (
           INSERT INTO dispatcher.send_queues (sender_key, next_at)
           SELECT sender_key, min(due_at) FROM ${source} ${filter} GROUP BY sender_key ORDER BY sender_key
           ON CONFLICT (sender_key) DO UPDATE SET next_at = LEAST(send_queues.next_at, EXCLUDED.next_at))`;

/** The OutboxLease of this instance: the claimant of the outbox rows it writes. */
export const OUTBOX_LEASE = Symbol('OUTBOX_LEASE');

/** What the dispatcher's view of `consent.state.v1` says about one recipient: the scopes opted out, and those where marketing is paused. */
export interface RecipientConsentState {
  optedOut: { scope: string; changedAt: Date }[];
  paused: { scope: string; changedAt: Date }[];
}

/** An outcome record to write to the outbox: about a message, or (an alert) about none. */
export interface Outgoing {
  messageId: string | null;
  record: OutgoingRecord;
}

/** An outbox row as written or claimed: its id (to mark it published) and the record. */
export interface OutboxRow {
  id: string;
  record: OutgoingRecord;
}

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

export interface SendRow {
  messageId: string;
  tenantId: string;
  state: SendState;
  senderKey: string;
  segments: number;
  kind: string;
  recipientToken: string | null;
  traceparent: string | null;
  twilioSid: string | null;
  attempts: number;
  /** Attempts a pause of the account or the sender answered: not counted against SEND_MAX_ATTEMPTS. */
  pausedAttempts: number;
  errorCode: number | null;
  errorMessage: string | null;
  deliveryStatus: string | null;
  envelope: MessageEnvelope;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface SendRowRaw {
  message_id: string;
  tenant_id: string;
  state: SendState;
  sender_key: string;
  segments: number;
  kind: string;
  recipient_token: string | null;
  traceparent: string | null;
  twilio_sid: string | null;
  attempts: number;
  paused_attempts: number;
  error_code: number | null;
  error_message: string | null;
  delivery_status: string | null;
  envelope: MessageEnvelope;
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toRow = (r: SendRowRaw): SendRow => ({
  messageId: r.message_id,
  tenantId: r.tenant_id,
  state: r.state,
  senderKey: r.sender_key,
  segments: r.segments,
  kind: r.kind,
  recipientToken: r.recipient_token,
  traceparent: r.traceparent,
  twilioSid: r.twilio_sid,
  attempts: r.attempts,
  pausedAttempts: r.paused_attempts,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  deliveryStatus: r.delivery_status,
  envelope: r.envelope,
  dueAt: r.due_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

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

/** What a claim round needs from the tables it locks, and what it decided. */
export interface ClaimRoundState {
  messages: { messageId: string; senderKey: string; segments: number; envelope: MessageEnvelope; traceparent: string | null; recipientToken: string }[];
  freeAt: Map<string, number>;
  dailyCounts: Map<string, { segments: number; alerted: boolean }>;
  queuedAtTwilioMs: Map<string, number>;
}

export interface ClaimRoundDecision {
  claims: { messageId: string; startMs: number; buckets: RateBucket[] }[];
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

/** The limiter's last check before a call, for one claimed message. */
export interface AdmitRequest {
  messageId: string;
  attempts: number;
  buckets: { key: string; segmentsPerSecond: number }[];
  segments: number;
}

/** Go (handed to Twilio from now), ask again later, or gone: cancelled or no longer this claim. */
export type AdmitAnswer = { go: true; waitMs: number; startAtMs: number } | { go: false; retryInMs: number } | { go: false; gone: true };

export interface CancelAnswer {
  decision: CancelDecision;
  /** The request was seen before: this is its first answer again. */
  repeated: boolean;
  /** The answer, written to the outbox with the decision (none for a repeated request). */
  outbox: OutboxRow[];
}

/** PostgreSQL's SQLSTATE for a unique index refusing a row. */
const UNIQUE_VIOLATION = '23505';

/** TypeORM answers an UPDATE ... RETURNING with [rows, affected count], a SELECT with the rows. */
function returned<T>(result: T[] | [T[], number]): T[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : (result as T[]);
}

/** The dispatcher's schema: the queue and send ledger, the shared limiter, and its view of consent state. */
@Injectable()
export class DispatchRepository {
  /** Who publishes the outbox rows this instance writes (null in the operators' command, which writes none). */
  private readonly claimant: string | null;

  constructor(@Inject(DataSource) private readonly db: DataSource, @Optional() @Inject(OUTBOX_LEASE) lease?: OutboxLease) {
    this.claimant = lease?.instanceId ?? null;
  }

  /**
   * Writes outcome records to the outbox, claimed by this instance, in the caller's transaction
   * (`q`), keeping their order; returns the rows written, in that order.
   */
  private async addToOutbox(q: EntityManager, items: Outgoing[]): Promise<OutboxRow[]> {
    if (items.length === 0) return [];
    const rows: { id: string }[] = await q.query(
      `INSERT INTO dispatcher.outbox (message_id, topic, key, value, headers, claimed_by)
       SELECT r.message_id, r.topic, r.key, r.value, r.headers, $6::uuid
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[]) WITH ORDINALITY AS r(message_id, topic, key, value, headers, n)
        ORDER BY r.n
       RETURNING id`,
      [
        items.map((i) => i.messageId),
        items.map((i) => i.record.topic),
        items.map((i) => i.record.key),
        items.map((i) => i.record.value),
        items.map((i) => JSON.stringify(i.record.headers)),
        this.claimant,
      ],
    );
    // Ids come from the sequence in insertion order, which is the order of the items.
    const ids = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.map((id, i) => ({ id: String(id), record: items[i]!.record }));
  }

  /** Outbox rows of the written messages, grouped by message. */
  private async outboxFor(q: EntityManager, written: Set<string>, records: Map<string, OutgoingRecord[]>): Promise<Map<string, OutboxRow[]>> {
    const items: Outgoing[] = [];
    for (const [messageId, list] of records) if (written.has(messageId)) items.push(...list.map((record) => ({ messageId, record })));
    const rows = await this.addToOutbox(q, items);
    const out = new Map<string, OutboxRow[]>([...written].map((id) => [id, []]));
    rows.forEach((row, i) => out.get(items[i]!.messageId!)!.push(row));
    return out;
  }

  /** Claims up to `limit` outbox rows no live instance is publishing, oldest first (the relay). */
  async takeUnpublished(claimant: string, limit: number): Promise<OutboxRow[]> {
    const rows: { id: string; topic: string; key: string | null; value: Buffer; headers: Record<string, string> }[] = await this.db.query(
      claimUnpublishedSql('dispatcher.outbox', 'id', 'id, topic, key, value, headers', 'dispatcher.outbox_instances'),
      [claimant, limit],
    );
    return rows.map((r) => ({ id: String(r.id), record: { topic: r.topic, key: r.key, value: r.value, headers: r.headers } }));
  }

  async markPublished(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE dispatcher.outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL`, [ids]);
  }

  /** Gives up this instance's claim on rows it could not publish: the next relay run takes them. */
  async releaseOutbox(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE dispatcher.outbox SET claimed_by = NULL WHERE id = ANY($1::bigint[]) AND published_at IS NULL`, [ids]);
  }

  /** Forgets records published longer ago than `retentionMs`. */
  async pruneOutbox(retentionMs: number): Promise<void> {
    await this.db.query(`DELETE FROM dispatcher.outbox WHERE published_at < now() - make_interval(secs => $1::double precision / 1000)`, [retentionMs]);
  }

  /** Every record written for these messages, in the order written (a redelivery publishes them again). */
  async outboxOf(messageIds: string[]): Promise<Map<string, OutgoingRecord[]>> {
    const out = new Map<string, OutgoingRecord[]>();
    if (messageIds.length === 0) return out;
    const rows: { message_id: string; topic: string; key: string | null; value: Buffer; headers: Record<string, string> }[] = await this.db.query(
      `SELECT message_id, topic, key, value, headers FROM dispatcher.outbox WHERE message_id = ANY($1::uuid[]) ORDER BY id`,
      [messageIds],
    );
    for (const r of rows) out.set(r.message_id, [...(out.get(r.message_id) ?? []), { topic: r.topic, key: r.key, value: r.value, headers: r.headers }]);
    return out;
  }

  /** Opens pool connections ahead of the first sends. */
  async warmUp(connections: number): Promise<void> {
    await Promise.all(Array.from({ length: connections }, () => this.db.query('SELECT 1')));
  }

  /** Opted-out scopes of many recipients at once. */
  /** The scopes at which these recipients opted out, or at which their marketing is paused, as of when. */
  async consentStates(keys: { tenantId: string; recipientToken: string }[]): Promise<Map<string, RecipientConsentState>> {
    const out = new Map<string, RecipientConsentState>();
    if (keys.length === 0) return out;
    const rows: { tenant_id: string; recipient_token: string; scope: string; opted_out: boolean; changed_at: Date }[] = await this.db.query(
      `SELECT DISTINCT s.tenant_id, s.recipient_token, s.scope, s.opted_out, s.changed_at FROM dispatcher.consent_state s
         JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token)
           ON s.tenant_id = k.tenant_id AND s.recipient_token = k.recipient_token
        WHERE s.opted_out OR s.marketing_paused`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.recipientToken)],
    );
    for (const r of rows) {
      const key = `${r.tenant_id}\u0000${r.recipient_token}`;
      const state = out.get(key) ?? { optedOut: [], paused: [] };
      (r.opted_out ? state.optedOut : state.paused).push({ scope: r.scope, changedAt: r.changed_at });
      out.set(key, state);
    }
    return out;
  }

  /** Applies consent-state events; an older event never overwrites a newer state. */
  async applyConsentStates(events: ConsentStateEvent[]): Promise<void> {
    const latest = new Map<string, ConsentStateEvent>();
    for (const e of events) {
      const key = `${e.tenantId}\u0000${e.recipientToken}\u0000${e.scope}`;
      const seen = latest.get(key);
      if (!seen || Date.parse(seen.changedAt) <= Date.parse(e.changedAt)) latest.set(key, e);
    }
    const list = [...latest.values()];
    if (list.length === 0) return;
    await this.db.query(
      `INSERT INTO dispatcher.consent_state (tenant_id, recipient_token, scope, opted_out, marketing_paused, changed_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::timestamptz[])
       ON CONFLICT (tenant_id, recipient_token, scope) DO UPDATE
         SET opted_out = EXCLUDED.opted_out, marketing_paused = EXCLUDED.marketing_paused, changed_at = EXCLUDED.changed_at
         WHERE consent_state.changed_at <= EXCLUDED.changed_at`,
      [
        list.map((e) => e.tenantId),
        list.map((e) => e.recipientToken),
        list.map((e) => e.scope),
        list.map((e) => e.optedOut),
        list.map((e) => e.marketingPaused ?? false),
        list.map((e) => e.changedAt),
      ],
    );
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
      const rows: { message_id: string; state: SendState }[] = await tx.query(
        `WITH added AS (
           INSERT INTO dispatcher.sends (message_id, tenant_id, state, sender_key, priority, due_at, segments, kind, recipient_token, traceparent,
                                         deferral, error_message, attempts, envelope, created_at, updated_at)
           SELECT id, tenant_id,
                  CASE WHEN EXISTS (SELECT 1 FROM dispatcher.cancellations c WHERE c.message_id = t.id AND c.tenant_id = t.tenant_id AND c.outcome = 'cancelled')
                       THEN 'cancelled' WHEN held THEN 'held' ELSE 'queued' END,
                  sender_key, priority, due_at, segments, kind, token, traceparent,
                  deferral, CASE WHEN held THEN deferral END, 0, envelope, now(), now()
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::boolean[], $12::int[])
               AS t(id, tenant_id, sender_key, due_at, segments, kind, token, traceparent, deferral, envelope, held, priority)
           ON CONFLICT (message_id) DO NOTHING
           RETURNING message_id, sender_key, due_at, state),
         ${wakeQueues('added', "WHERE state = 'queued'")}
         SELECT message_id, state FROM added`,
        [
          sends.map((s) => s.envelope.id),
          sends.map((s) => s.envelope.tenantId),
          sends.map((s) => s.senderKey),
          sends.map((s) => s.dueAt),
          sends.map((s) => s.segments),
          sends.map((s) => s.envelope.kind),
          sends.map((s) => s.recipientToken),
          sends.map((s) => s.traceparent),
          sends.map((s) => s.deferral),
          sends.map((s) => JSON.stringify(s.envelope)),
          sends.map((s) => s.held),
          sends.map((s) => s.priority),
        ],
      );
      const queued = new Set(rows.filter((r) => r.state !== 'cancelled').map((r) => r.message_id));
      const outbox = await this.outboxFor(tx, queued, new Map(sends.map((s) => [s.envelope.id, s.records])));
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
         UPDATE dispatcher.sends s SET state = 'queued', envelope = v.envelope, due_at = now(), deferral = NULL, error_message = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::jsonb[]) AS v(id, envelope)
          WHERE s.message_id = v.id AND s.state = 'held'
            AND jsonb_array_length(s.envelope->'verdicts') < jsonb_array_length(v.envelope->'verdicts')
          RETURNING s.message_id, s.sender_key, s.due_at),
       ${wakeQueues('back')}
       SELECT message_id FROM back`,
      [envelopes.map((e) => e.id), envelopes.map((e) => JSON.stringify(e))],
    );
    return new Set(rows.map((r) => r.message_id));
  }

  async find(messageIds: string[]): Promise<SendRow[]> {
    if (messageIds.length === 0) return [];
    const rows: SendRowRaw[] = await this.db.query(`SELECT * FROM dispatcher.sends WHERE message_id = ANY($1::uuid[])`, [messageIds]);
    return rows.map(toRow);
  }

  /**
   * One claim round, in one transaction: lock a few senders with due messages (skipping
   * senders another instance holds), read their due messages, lock the limiter rows they count
   * against (in a fixed order, so that instances never deadlock), let `decide` book them, and
   * write what it decided. The sender locks make N instances share the senders; the limiter
   * row locks make the rates hold across them.
   */
  async claimRound(
    options: { horizonEnd: Date; now: Date; senders: number; perSender: number; queueWindowSeconds: number },
    screen: (messages: ClaimRoundState['messages']) => Promise<Set<string>>,
    needs: (messages: ClaimRoundState['messages']) => { buckets: string[]; counters: string[] },
    decide: (state: ClaimRoundState) => ClaimRoundDecision,
    outcomes: () => Outgoing[],
  ): Promise<{ claimed: ClaimedSend[]; decision: ClaimRoundDecision | null; sendersSeen: number; messagesSeen: number; outbox: OutboxRow[] }> {
    return this.db.transaction(async (tx) => {
      // Senders whose sending is paused, or all of them while the account is, wait (send_pauses).
      const senders: { sender_key: string }[] = await tx.query(
        `SELECT q.sender_key FROM dispatcher.send_queues q
          WHERE q.next_at <= $1
            AND NOT EXISTS (SELECT 1 FROM dispatcher.send_pauses p
                             WHERE p.scope IN (q.sender_key, $3) AND (p.until IS NULL OR p.until > now()))
          ORDER BY q.next_at LIMIT $2 FOR UPDATE OF q SKIP LOCKED`,
        [options.horizonEnd, options.senders, ACCOUNT_SCOPE],
      );
      if (senders.length === 0) return { claimed: [], decision: null, sendersSeen: 0, messagesSeen: 0, outbox: [] };
      const keys = senders.map((s) => s.sender_key);
      // Answers to a person (opt-out confirmations, HELP, conversational replies) go before the rest of their sender's queue.
      const due: { message_id: string; sender_key: string; segments: number; envelope: MessageEnvelope; traceparent: string | null; recipient_token: string | null }[] =
        await tx.query(
          `SELECT q.message_id, q.sender_key, q.segments, q.envelope, q.traceparent, q.recipient_token
             FROM unnest($1::text[]) AS k(sender_key)
             CROSS JOIN LATERAL (
               SELECT s.message_id, s.sender_key, s.segments, s.envelope, s.traceparent, s.recipient_token, s.priority, s.due_at, s.created_at
                 FROM dispatcher.sends s
                WHERE s.sender_key = k.sender_key AND s.state = 'queued' AND s.due_at <= $2
                ORDER BY s.priority, s.due_at, s.created_at LIMIT $3) q
            ORDER BY q.priority, q.due_at, q.created_at`,
        [keys, options.now, options.perSender],
      );
      const screened = due.map((d) => ({
        messageId: d.message_id,
        senderKey: d.sender_key,
        segments: d.segments,
        envelope: d.envelope,
        traceparent: d.traceparent,
        recipientToken: d.recipient_token ?? '',
      }));
      const blocked = await screen(screened);
      const state: ClaimRoundState = {
        messages: screened.filter((m) => !blocked.has(m.messageId)),
        freeAt: new Map(),
        dailyCounts: new Map(),
        queuedAtTwilioMs: new Map(),
      };
      if (state.messages.length > 0) {
        const wanted = needs(state.messages);
        const buckets = [...new Set(wanted.buckets)].sort();
        const counters = [...new Set(wanted.counters)].sort();
        state.freeAt = await this.lockBuckets(tx, buckets);
        state.dailyCounts = await this.lockCounters(tx, counters);
        // The oldest send of each sender Twilio took and has not reported sent on (one index seek per sender).
        const oldest: { sender_key: string; waited_ms: number }[] = await tx.query(
          `SELECT k.sender_key, (extract(epoch FROM now() - o.accepted_at) * 1000)::float8 AS waited_ms
             FROM unnest($1::text[]) AS k(sender_key)
             CROSS JOIN LATERAL (
               SELECT s.accepted_at FROM dispatcher.sends s
                WHERE s.sender_key = k.sender_key AND s.state = 'accepted' AND s.delivery_status IS NULL
                  AND s.accepted_at > now() - make_interval(secs => $2::double precision)
                ORDER BY s.accepted_at LIMIT 1) o`,
          [keys, options.queueWindowSeconds],
        );
        state.queuedAtTwilioMs = new Map(oldest.map((r) => [r.sender_key, r.waited_ms]));
      }
      const decision = decide(state);
      const claimed = await this.writeRound(tx, keys, decision);
      // What the round decided (blocked, held, deferred, alerts) commits with it.
      const outbox = await this.addToOutbox(tx, outcomes());
      return { claimed, decision, sendersSeen: keys.length, messagesSeen: state.messages.length, outbox };
    });
  }

  private async lockBuckets(tx: EntityManager, buckets: string[]): Promise<Map<string, number>> {
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

  private async lockCounters(tx: EntityManager, counters: string[]): Promise<Map<string, { segments: number; alerted: boolean }>> {
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

  private async writeRound(tx: EntityManager, senderKeys: string[], d: ClaimRoundDecision): Promise<ClaimedSend[]> {
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
      const rows = returned<SendRowRaw>(
        await tx.query(
          `UPDATE dispatcher.sends s SET state = 'sending', attempts = s.attempts + 1, updated_at = now()
            WHERE s.message_id = ANY($1::uuid[]) AND s.state = 'queued' RETURNING s.*`,
          [d.claims.map((c) => c.messageId)],
        ),
      );
      claimed = rows.map((r) => ({ row: toRow(r), startMs: planned.get(r.message_id)!.startMs, buckets: planned.get(r.message_id)!.buckets }));
    }
    if (d.deferrals.length > 0) {
      await tx.query(
        `UPDATE dispatcher.sends s SET due_at = v.due_at, deferral = v.reason, updated_at = now()
           FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v(id, due_at, reason) WHERE s.message_id = v.id AND s.state = 'queued'`,
        [d.deferrals.map((x) => x.messageId), d.deferrals.map((x) => new Date(x.dueAtMs)), d.deferrals.map((x) => x.reason)],
      );
    }
    for (const [state, list] of [['held', d.holds], ['blocked', d.blocks]] as const) {
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
        await tx.query(
          `UPDATE dispatcher.rate_buckets b SET started_free_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(bucket, at) WHERE b.bucket = v.bucket`,
          [changed.map(([k]) => k), changed.map(([, ms]) => new Date(Math.ceil(ms)))],
        );
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
          return { decision: seen.outcome === 'cancelled' ? { outcome: 'cancelled', stopRow: false, reason: seen.outcome_reason } : { outcome: 'refused', status: seen.outcome_status, reason: seen.outcome_reason, foreign: false }, repeated: true, outbox: [] };
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
      const outbox = record ? await this.addToOutbox(tx, [{ messageId: request.messageId, record }]) : [];
      return { decision, repeated: false, outbox };
    });
  }

  /**
   * Writes the outcome of claimed sends, only where the claim is still the writer's (same
   * attempt, still sending): a claim another instance took over is never overwritten.
   */
  async complete(outcomes: SendOutcome[]): Promise<Map<string, OutboxRow[]>> {
    if (outcomes.length === 0) return new Map();
    return this.db.transaction(async (tx) => {
      const result: { message_id: string }[] | [{ message_id: string }[], number] = await tx.query(
        `UPDATE dispatcher.sends s
            SET state = r.state, twilio_sid = r.twilio_sid, error_code = r.error_code, error_message = r.error_message,
                accepted_at = CASE WHEN r.state = 'accepted' THEN now() END, started_at = r.started_at, updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::timestamptz[])
                AS r(message_id, attempts, state, twilio_sid, error_code, error_message, started_at)
          WHERE s.message_id = r.message_id AND s.state = 'sending' AND s.attempts = r.attempts
          RETURNING s.message_id`,
        [
          outcomes.map((o) => o.messageId),
          outcomes.map((o) => o.attempts),
          outcomes.map((o) => o.state),
          outcomes.map((o) => o.twilioSid),
          outcomes.map((o) => o.errorCode),
          outcomes.map((o) => o.errorMessage),
          outcomes.map((o) => (o.startedAtMs !== null ? new Date(o.startedAtMs) : null)),
        ],
      );
      const written = new Set(returned(result).map((r) => r.message_id));
      return this.outboxFor(tx, written, new Map(outcomes.map((o) => [o.messageId, o.records ?? []])));
    });
  }

  /**
   * Puts claimed sends Twilio did not take back in the queue, due later (retries are paced
   * like first attempts). An attempt a pause answered (`paused`) is counted as such, so that it
   * does not count against SEND_MAX_ATTEMPTS. With `olderThanMs`, only a claim whose lease ran
   * out (the reconciler).
   */
  async requeue(
    items: { messageId: string; attempts: number; dueAt: Date; reason: string; paused?: boolean; records?: OutgoingRecord[] }[],
    olderThanMs?: number,
  ): Promise<Map<string, OutboxRow[]>> {
    if (items.length === 0) return new Map();
    return this.db.transaction(async (tx) => {
      const rows: { message_id: string }[] = await tx.query(
        `WITH back AS (
           UPDATE dispatcher.sends s SET state = 'queued', due_at = v.due_at, error_message = v.reason,
                  paused_attempts = s.paused_attempts + CASE WHEN v.paused THEN 1 ELSE 0 END, updated_at = now()
             FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $6::boolean[]) AS v(id, attempts, due_at, reason, paused)
            WHERE s.message_id = v.id AND s.state = 'sending' AND s.attempts = v.attempts
              AND ($5::double precision IS NULL OR s.updated_at < now() - make_interval(secs => $5::double precision / 1000))
            RETURNING s.message_id, s.sender_key, s.due_at),
         ${wakeQueues('back')}
         SELECT message_id FROM back`,
        [items.map((i) => i.messageId), items.map((i) => i.attempts), items.map((i) => i.dueAt), items.map((i) => i.reason), olderThanMs ?? null, items.map((i) => i.paused === true)],
      );
      return this.outboxFor(tx, new Set(rows.map((r) => r.message_id)), new Map(items.map((i) => [i.messageId, i.records ?? []])));
    });
  }

  /**
   * Puts back in the queue sends that Twilio took and that never reached the person: failed in
   * its queue (30001), or stopped because of the account or the sender (63038, 30022, 30032,
   * 30034: `paused`, not counted against SEND_MAX_ATTEMPTS), due later. Only while the send
   * still holds that Twilio message (a repeated callback, or one of an earlier attempt, changes
   * nothing). The next attempt is a new Twilio message, so the SID and delivery state of this
   * one are cleared.
   */
  async requeueFromTwilioQueue(
    items: { messageId: string; twilioSid: string; attempts: number; dueAt: Date; errorCode: number; reason: string; paused?: boolean; records?: OutgoingRecord[] }[],
  ): Promise<Map<string, OutboxRow[]>> {
    if (items.length === 0) return new Map();
    return this.db.transaction(async (tx) => {
      const rows: { message_id: string }[] = await tx.query(
        `WITH back AS (
           UPDATE dispatcher.sends s SET state = 'queued', due_at = v.due_at, twilio_sid = NULL, accepted_at = NULL, delivery_status = NULL,
                  delivery_error_code = NULL, delivery_checked_at = NULL, error_code = v.error_code, error_message = v.reason,
                  paused_attempts = s.paused_attempts + CASE WHEN v.paused THEN 1 ELSE 0 END, updated_at = now()
             FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::int[], $6::text[], $7::boolean[]) AS v(id, sid, attempts, due_at, error_code, reason, paused)
            WHERE s.message_id = v.id AND s.state = 'accepted' AND s.twilio_sid = v.sid AND s.attempts = v.attempts
            RETURNING s.message_id, s.sender_key, s.due_at),
         ${wakeQueues('back')}
         SELECT message_id FROM back`,
        [
          items.map((i) => i.messageId),
          items.map((i) => i.twilioSid),
          items.map((i) => i.attempts),
          items.map((i) => i.dueAt),
          items.map((i) => i.errorCode),
          items.map((i) => i.reason),
          items.map((i) => i.paused === true),
        ],
      );
      return this.outboxFor(tx, new Set(rows.map((r) => r.message_id)), new Map(items.map((i) => [i.messageId, i.records ?? []])));
    });
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

  /** Extends the leases of many claims at once; returns those still ours. */
  async renewAll(claims: { messageId: string; attempts: number }[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const rows = returned<{ message_id: string }>(
      await this.db.query(
        `UPDATE dispatcher.sends s SET updated_at = now()
           FROM unnest($1::uuid[], $2::int[]) AS v(id, attempts)
          WHERE s.message_id = v.id AND s.state = 'sending' AND s.attempts = v.attempts
          RETURNING s.message_id`,
        [claims.map((c) => c.messageId), claims.map((c) => c.attempts)],
      ),
    );
    return new Set(rows.map((r) => r.message_id));
  }

  /** Extends the lease of a claim before calling Twilio; false when the claim is no longer ours. */
  async renew(messageId: string, attempts: number): Promise<boolean> {
    const [, affected] = await this.db.query<[unknown[], number]>(
      `UPDATE dispatcher.sends SET updated_at = now() WHERE message_id = $1 AND state = 'sending' AND attempts = $2`,
      [messageId, attempts],
    );
    return affected > 0;
  }

  /** Claims not confirmed for a while: a crash happened between the claim and Twilio's answer. */
  async inDoubt(olderThanMs: number, limit: number): Promise<SendRow[]> {
    const rows: SendRowRaw[] = await this.db.query(
      `SELECT * FROM dispatcher.sends WHERE state = 'sending'
          AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map(toRow);
  }

  /**
   * Sends Twilio took at least `olderThanMs` ago whose final callback has not come, not asked
   * about in that long either: each is marked as asked now (SKIP LOCKED, so instances share
   * them and no two ask about one message at once). Sends older than `maxAgeMs` are left alone.
   */
  async awaitingDelivery(olderThanMs: number, maxAgeMs: number, limit: number): Promise<SendRow[]> {
    const rows: SendRowRaw[] = await this.db.query(
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
    return rows.map(toRow);
  }

  /** Twilio's status callbacks, forward only: a late "sent" never undoes "delivered". */
  async recordDeliveries(events: { messageId: string; twilioSid: string | null; status: DeliveryStatus; errorCode: number | null }[]): Promise<void> {
    const rank = { sent: 1, delivered: 2, undelivered: 2, failed: 2 } as const;
    const best = new Map<string, (typeof events)[number]>();
    for (const e of events) {
      const seen = best.get(e.messageId);
      if (!seen || rank[seen.status] < rank[e.status]) best.set(e.messageId, e);
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

  /**
   * Records that Twilio's answer pauses a scope ("account" or a sender key), in one transaction
   * on the scope's row: `decide` turns the stored pause (null when none) into the one to keep.
   * Returns it, and whether it started here.
   */
  async pause(scope: string, code: number, reason: string, decide: (stored: PauseState | null, nowMs: number) => PauseState & { started: boolean }): Promise<StoredPause & { started: boolean }> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO dispatcher.send_pauses (scope, code, reason, since, until, hits, updated_at) VALUES ($1, $2, $3, now(), now(), 0, now()) ON CONFLICT (scope) DO NOTHING`,
        [scope, code, reason],
      );
      const [row]: SendPauseRaw[] = await tx.query(`SELECT *, clock_timestamp() AS now FROM dispatcher.send_pauses WHERE scope = $1 FOR UPDATE`, [scope]);
      const nowMs = row!.now.getTime();
      // A row just inserted ends as it starts: no pause was stored.
      const stored = row!.hits === 0 ? null : { untilMs: row!.until?.getTime() ?? null, sinceMs: row!.since.getTime(), hits: row!.hits };
      const next = decide(stored, nowMs);
      if (!next.started) return { ...toPause(row!), started: false };
      const [written]: SendPauseRaw[] = returned(
        await tx.query(
          `UPDATE dispatcher.send_pauses SET code = $2, reason = $3, since = $4, until = $5, hits = $6, updated_at = now() WHERE scope = $1 RETURNING *`,
          [scope, code, reason, new Date(next.sinceMs), next.untilMs === null ? null : new Date(next.untilMs), next.hits],
        ),
      );
      return { ...toPause(written!), started: true };
    });
  }

  /** Pauses in force now (ended ones are left out). */
  async activePauses(): Promise<StoredPause[]> {
    const rows: SendPauseRaw[] = await this.db.query(`SELECT * FROM dispatcher.send_pauses WHERE hits > 0 AND (until IS NULL OR until > now()) ORDER BY since`);
    return rows.map(toPause);
  }

  /**
   * Ends a pause (an operator cleared it): its senders are looked at again at once. Returns the
   * pause ended, or null when none was in force for that scope.
   */
  async clearPause(scope: string): Promise<StoredPause | null> {
    return this.db.transaction(async (tx) => {
      const rows = returned<SendPauseRaw>(
        await tx.query(`DELETE FROM dispatcher.send_pauses WHERE scope = $1 AND hits > 0 AND (until IS NULL OR until > now()) RETURNING *`, [scope]),
      );
      if (rows.length === 0) return null;
      await tx.query(`UPDATE dispatcher.send_queues SET next_at = now() WHERE ($1 = $2 OR sender_key = $1) AND next_at < 'infinity'`, [scope, ACCOUNT_SCOPE]);
      return toPause(rows[0]!);
    });
  }

  /** Messages waiting in the queue per tenant (for alerts about the whole account) and of one sender. */
  async waiting(scope: string): Promise<Map<string, number>> {
    const rows: { tenant_id: string; n: string }[] = await this.db.query(
      `SELECT tenant_id, count(*) AS n FROM dispatcher.sends WHERE state = 'queued' AND ($1 = $2 OR sender_key = $1) GROUP BY tenant_id ORDER BY tenant_id`,
      [scope, ACCOUNT_SCOPE],
    );
    return new Map(rows.map((r) => [r.tenant_id, Number(r.n)]));
  }
}

/** A pause of the account or of a sender, as stored. */
export interface StoredPause {
  scope: string;
  code: number;
  reason: string;
  since: Date;
  until: Date | null;
  hits: number;
}

interface SendPauseRaw {
  scope: string;
  code: number;
  reason: string;
  since: Date;
  until: Date | null;
  hits: number;
  now: Date;
}

const toPause = (r: SendPauseRaw): StoredPause => ({ scope: r.scope, code: r.code, reason: r.reason, since: r.since, until: r.until, hits: r.hits });
