import { Inject, Injectable } from '@nestjs/common';
import { claimUnpublishedSql, columnsOf, type OutboxLease } from '@sms/database';
import type { OutgoingRecord } from '@sms/kafka';
import { DataSource, type EntityManager } from 'typeorm';

/** The OutboxLease of this instance: the claimant of the outbox rows it writes. */
export const OUTBOX_LEASE = Symbol('OUTBOX_LEASE');

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

/** The outbox half of a one-statement outcome write: see OutboxRepository.writeWith. */
export interface OutboxWrite {
  sql: string;
  select: string;
  params: unknown[];
  rows(result: { message_id: string; outbox_id: string | null }[]): Map<string, OutboxRow[]>;
}

/**
 * The dispatcher's outbox (dispatcher.outbox): the outcome records each use case writes in its
 * own transaction, and what the relay (dispatch-outbox.ts) claims, marks published and prunes.
 */
@Injectable()
export class OutboxRepository {
  /** Who publishes the outbox rows this instance writes. */
  private readonly claimant: string;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(OUTBOX_LEASE) lease: OutboxLease,
  ) {
    this.claimant = lease.instanceId;
  }

  /**
   * Writes outcome records to the outbox, claimed by this instance, in the caller's transaction
   * (`q`), keeping their order; returns the rows written, in that order.
   */
  async write(q: EntityManager, items: Outgoing[]): Promise<OutboxRow[]> {
    if (items.length === 0) return [];
    const rows: { id: string }[] = await q.query(
      `INSERT INTO dispatcher.outbox (message_id, topic, key, value, headers, claimed_by)
       SELECT r.message_id, r.topic, r.key, r.value, r.headers, $6::uuid
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[]) WITH ORDINALITY AS r(message_id, topic, key, value, headers, n)
        ORDER BY r.n
       RETURNING id`,
      this.recordParams(items),
    );
    // Ids come from the sequence in insertion order, which is the order of the items.
    const ids = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.map((id, i) => ({ id: String(id), record: items[i]!.record }));
  }

  /**
   * The outbox half of a statement that writes outcomes: the data-modifying CTE
   * `outbox_written`, which writes the records of the messages the statement's CTE `source`
   * returned (a `message_id` column: the rows the statement changed), claimed by this instance,
   * in their order; and `select`, the statement's final SELECT. Its parameters start at
   * `$firstParam`. PostgreSQL runs the whole statement atomically, so an outcome and its
   * records are written together or not at all, without a transaction of several statements.
   * `rows` reads the statement's answer: the messages written, each with its outbox rows.
   */
  writeWith(source: string, records: Map<string, OutgoingRecord[]>, firstParam: number): OutboxWrite {
    const items: Outgoing[] = [];
    for (const [messageId, list] of records) items.push(...list.map((record) => ({ messageId, record })));
    const $ = (i: number) => `$${firstParam + i}`;
    return {
      sql: `outbox_written AS (
           INSERT INTO dispatcher.outbox (message_id, topic, key, value, headers, claimed_by)
           SELECT r.message_id, r.topic, r.key, r.value, r.headers, ${$(5)}::uuid
             FROM unnest(${$(0)}::uuid[], ${$(1)}::text[], ${$(2)}::text[], ${$(3)}::bytea[], ${$(4)}::jsonb[]) WITH ORDINALITY AS r(message_id, topic, key, value, headers, n)
            WHERE r.message_id IN (SELECT message_id FROM ${source})
            ORDER BY r.n
           RETURNING id, message_id)`,
      select: `SELECT message_id, NULL::text AS outbox_id FROM ${source} UNION ALL SELECT message_id, id::text FROM outbox_written`,
      params: this.recordParams(items),
      rows: (result) => {
        const out = new Map<string, OutboxRow[]>();
        for (const r of result) if (r.outbox_id === null) out.set(r.message_id, []);
        // Ids come from the sequence in insertion order, which is the order of the written items.
        const ids = result
          .filter((r) => r.outbox_id !== null)
          .map((r) => BigInt(r.outbox_id!))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const written = items.filter((i) => out.has(i.messageId!));
        if (written.length !== ids.length) throw new Error(`outbox rows written ${ids.length}, records expected ${written.length}`);
        written.forEach((item, i) => out.get(item.messageId!)!.push({ id: String(ids[i]), record: item.record }));
        return out;
      },
    };
  }

  /** Outbox rows of the written messages, grouped by message. */
  async writeFor(q: EntityManager, written: Set<string>, records: Map<string, OutgoingRecord[]>): Promise<Map<string, OutboxRow[]>> {
    const items: Outgoing[] = [];
    for (const [messageId, list] of records) if (written.has(messageId)) items.push(...list.map((record) => ({ messageId, record })));
    const rows = await this.write(q, items);
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

  /** The items as the six parameters of an outbox insert: message ids, topics, keys, values, headers, and this instance as claimant. */
  private recordParams(items: readonly Outgoing[]): unknown[] {
    return [...columnsOf(items, ['messageId', (i) => i.record.topic, (i) => i.record.key, (i) => i.record.value, (i) => JSON.stringify(i.record.headers)]), this.claimant];
  }
}
