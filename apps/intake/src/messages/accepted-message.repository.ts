import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { MessageEnvelope } from '@sms/contracts';
import { Batcher } from '@sms/util';
import { DataSource } from 'typeorm';
import { claimUnpublishedSql, OutboxClaims } from './outbox-claims.js';

export interface NewAcceptedMessage {
  envelope: MessageEnvelope;
  requestHash: string;
  traceparent: string | null;
}

/** A message with its place in the acceptance order (see `acceptanceTime`). */
interface Inserting extends NewAcceptedMessage {
  acceptedAt: string;
}

/**
 * What storing a message did: stored it, or found the message stored before under the same
 * idempotency key, with that message itself if it never reached the topic (its instance died
 * before the broker acknowledged it).
 */
export type InsertOutcome = { inserted: true } | { inserted: false; existingId: string; existingRequestHash: string; unpublished: UnpublishedMessage | null };

export interface UnpublishedMessage {
  envelope: MessageEnvelope;
  traceparent: string | null;
}

/**
 * intake.accepted_messages: the outbox. Inserts and "published" marks are batched, one
 * statement for many messages, so the database is not a round trip per message.
 */
@Injectable()
export class AcceptedMessageRepository {
  private readonly inserts = new Batcher<Inserting, InsertOutcome>((items) => this.insertMany(items), {
    maxItems: 500,
    maxConcurrent: 4,
  });
  private readonly marks = new Batcher<string, void>((ids) => this.markMany(ids), { maxItems: 2000, maxConcurrent: 2 });
  /** The last acceptance time handed out, in microseconds since the epoch. */
  private lastAcceptedUs = 0;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(OutboxClaims) private readonly claims: OutboxClaims,
  ) {}

  /**
   * Stores an accepted message. The call is the moment of acceptance: the row's accepted_at
   * is taken here, to the microsecond and strictly increasing in this process, so that the
   * outbox orders one recipient's messages as they were accepted even when their inserts run
   * in different statements at once (and finish in any order).
   */
  insert(message: NewAcceptedMessage): Promise<InsertOutcome> {
    return this.inserts.add({ ...message, acceptedAt: this.acceptanceTime() });
  }

  /** Now, in microseconds, but always after the last time handed out (ISO 8601 with six decimals). */
  private acceptanceTime(): string {
    const us = Math.max(Date.now() * 1000, this.lastAcceptedUs + 1);
    this.lastAcceptedUs = us;
    const iso = new Date(Math.floor(us / 1000)).toISOString();
    return `${iso.slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`;
  }

  markPublished(id: string): Promise<void> {
    return this.marks.add(id);
  }

  /**
   * Claims accepted messages that did not reach Kafka and that no live instance is publishing
   * (their instance died, or stopped before they were acknowledged), oldest accepted first.
   */
  async takeUnpublished(limit: number): Promise<UnpublishedMessage[]> {
    const rows: { envelope: MessageEnvelope; traceparent: string | null }[] = await this.db.query(claimUnpublishedSql('intake.accepted_messages', 'accepted_at', 'envelope, traceparent'), [
      this.claims.instanceId,
      limit,
    ]);
    return rows;
  }

  private async insertMany(items: Inserting[]): Promise<InsertOutcome[]> {
    const inserted: { id: string }[] = await this.db.query(
      `INSERT INTO intake.accepted_messages (id, tenant_id, idempotency_key, request_hash, envelope, traceparent, accepted_at, claimed_by)
       SELECT *, $8::uuid FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::timestamptz[])
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        ...columnsOf(items, [
          (i) => i.envelope.id,
          (i) => i.envelope.tenantId,
          (i) => i.envelope.idempotencyKey ?? null,
          'requestHash',
          (i) => JSON.stringify(i.envelope),
          'traceparent',
          'acceptedAt',
        ]),
        this.claims.instanceId,
      ],
    );
    // A request with an idempotency key has the id derived from it (messageIdFor): the same key
    // twice in one batch is one row, inserted for the first of them only.
    const fresh = new Set(inserted.map((r) => r.id));
    const insertedAt = new Set<number>();
    items.forEach((item, i) => {
      if (fresh.delete(item.envelope.id)) insertedAt.add(i);
    });
    const conflicts = items.filter((_, i) => !insertedAt.has(i));
    type Existing = { id: string; tenant_id: string; idempotency_key: string; request_hash: string; envelope: MessageEnvelope | null; traceparent: string | null };
    const existing = new Map<string, Existing>();
    if (conflicts.length > 0) {
      const rows: Existing[] = await this.db.query(
        `SELECT m.id, m.tenant_id, m.idempotency_key, m.request_hash,
                CASE WHEN m.published_at IS NULL THEN m.envelope END AS envelope, m.traceparent
           FROM intake.accepted_messages m
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, idempotency_key)
             ON m.tenant_id = k.tenant_id AND m.idempotency_key = k.idempotency_key`,
        [conflicts.map((c) => c.envelope.tenantId), conflicts.map((c) => c.envelope.idempotencyKey ?? '')],
      );
      for (const row of rows) existing.set(`${row.tenant_id}\u0000${row.idempotency_key}`, row);
    }
    return items.map((item, i): InsertOutcome => {
      if (insertedAt.has(i)) return { inserted: true };
      const row = existing.get(`${item.envelope.tenantId}\u0000${item.envelope.idempotencyKey ?? ''}`);
      if (!row) throw new Error(`message ${item.envelope.id} was neither inserted nor found by its idempotency key`);
      return { inserted: false, existingId: row.id, existingRequestHash: row.request_hash, unpublished: row.envelope ? { envelope: row.envelope, traceparent: row.traceparent } : null };
    });
  }

  private async markMany(ids: string[]): Promise<void[]> {
    await this.db.query(`UPDATE intake.accepted_messages SET published_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
    return ids.map(() => undefined);
  }
}
