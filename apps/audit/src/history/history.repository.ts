import { Inject, Injectable } from '@nestjs/common';
import type { ConsentChangeEvent, MessageStatus } from '@sms/contracts';
import { Batcher } from '@sms/util';
import { Histogram, register } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { GENESIS, link, verifyChain, type ChainHead, type VerifyResult } from '../rules/hash-chain.js';
import type { HistoryEvent } from '../rules/history.js';
import { consentEventContent, contentFromRow, messageEventContent, tenantEventContent, type TenantEvent } from './history-content.js';
import { insertRecords, SqlParameters, type HistoryRecord } from './history-rows.js';

export interface StoredEvent extends HistoryEvent {
  seq: number;
  recordedAt: string;
}

export interface StoredConsentEvent extends ConsentChangeEvent {
  seq: number;
  recordedAt: string;
}

/** sms_audit_append_records: records per history transaction (its count is the transactions). */
const appendRecords =
  (register.getSingleMetric('sms_audit_append_records') as Histogram | undefined) ??
  new Histogram({
    name: 'sms_audit_append_records',
    help: 'Records appended to the history per database transaction (the count is the number of transactions)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
  });

const contentOf = (p: HistoryRecord): Record<string, unknown> =>
  p.table === 'message_events' ? messageEventContent(p.event) : p.table === 'consent_events' ? consentEventContent(p.event) : tenantEventContent(p.event);

interface MessageEventRow {
  tenant_id: string;
  message_id: string;
  campaign: string | null;
  event_key: string;
  kind: 'decision' | 'status';
  stage: string | null;
  decision: string | null;
  clauses: string[];
  reason: string | null;
  status: MessageStatus | null;
  twilio_sid: string | null;
  error_code: number | null;
  facts: Record<string, unknown>;
  occurred_at: Date;
  recorded_at: Date;
  seq: string;
  hash: string;
}

const toStored = (r: MessageEventRow): StoredEvent => ({
  tenantId: r.tenant_id,
  messageId: r.message_id,
  campaign: r.campaign,
  eventKey: r.event_key,
  kind: r.kind,
  stage: r.stage,
  decision: r.decision,
  clauses: r.clauses,
  reason: r.reason,
  status: r.status,
  twilioSid: r.twilio_sid,
  errorCode: r.error_code,
  facts: r.facts,
  occurredAt: r.occurred_at.toISOString(),
  recordedAt: r.recorded_at.toISOString(),
  seq: Number(r.seq),
});

/** Enough to pay for a commit many times over; few enough that a catching-up backlog holds the chain locks briefly. */
const MAX_RECORDS_PER_TRANSACTION = 5_000;

/**
 * The audit store. Writes are batched (one transaction, a few statements, for a whole batch
 * of events) and chained: each tenant's records get the next sequence numbers and hashes
 * under a lock on the tenant's chain head, so concurrent writers never fork a chain. An event
 * already recorded (a redelivery) is skipped before it is given a place in the chain.
 */
@Injectable()
export class HistoryRepository {
  /**
   * Appends from all of this instance's consumers (one per topic) are merged into one
   * transaction at a time, of up to MAX_RECORDS_PER_TRANSACTION records (a caller's list is never
   * split): separate transactions queued on the same tenants' chain-head locks, holding
   * connections while they waited, and each paid its own commit.
   */
  private readonly appends = new Batcher<HistoryRecord[], number | Error>((lists) => this.appendMerged(lists), {
    maxItems: MAX_RECORDS_PER_TRANSACTION,
    weight: (list) => list.length,
    maxConcurrent: 1,
  });

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  append(events: HistoryEvent[]): Promise<number> {
    return this.appendChained(events.map((event) => ({ table: 'message_events', tenantId: event.tenantId, key: `${event.messageId}|${event.eventKey}`, event })));
  }

  appendConsentChanges(changes: ConsentChangeEvent[]): Promise<number> {
    return this.appendChained(changes.map((event) => ({ table: 'consent_events', tenantId: event.tenantId, key: event.changeId, event })));
  }

  appendTenantEvents(events: TenantEvent[]): Promise<number> {
    return this.appendChained(events.map((event) => ({ table: 'tenant_events', tenantId: event.tenantId, key: event.eventId, event })));
  }

  private async appendChained(items: HistoryRecord[]): Promise<number> {
    if (items.length === 0) return 0;
    const result = await this.appends.add(items);
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * One transaction for the lists of several callers; should it fail, each list is tried on
   * its own, so that one caller's failing events fail only that caller's batch.
   */
  private async appendMerged(lists: HistoryRecord[][]): Promise<(number | Error)[]> {
    try {
      const fresh = await this.appendInTransaction(lists.flat());
      return lists.map((list) => list.filter((item) => fresh.has(item)).length);
    } catch (error) {
      if (lists.length === 1) return [error as Error];
      return Promise.all(
        lists.map((list) =>
          this.appendInTransaction(list).then(
            (fresh) => fresh.size,
            (e: Error) => e,
          ),
        ),
      );
    }
  }

  /**
   * Appends in one transaction under the tenants' chain-head locks; returns the items not
   * recorded before. The same few round trips whatever the batch: begin, lock the heads, find
   * what is recorded already, write (every table's rows and the new heads in one statement),
   * commit.
   */
  private async appendInTransaction(items: HistoryRecord[]): Promise<Set<HistoryRecord>> {
    const recorded = await this.db.transaction(async (m) => {
      const heads = await this.lockHeads(m, [...new Set(items.map((i) => i.tenantId))].sort());
      const seen = await this.recorded(m, items);
      const fresh: HistoryRecord[] = [];
      for (const item of items) {
        const id = `${item.table}|${item.tenantId}|${item.key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        fresh.push(item);
      }
      if (fresh.length > 0) await this.write(m, fresh, heads);
      return new Set(fresh);
    });
    appendRecords.observe(recorded.size);
    return recorded;
  }

  /**
   * Locks the chain heads of these tenants, in tenant order (concurrent writers then never
   * deadlock); a tenant's first record starts its head at the genesis.
   */
  private async lockHeads(m: EntityManager, tenants: string[]): Promise<Map<string, ChainHead>> {
    const lock = async (): Promise<Map<string, ChainHead>> => {
      const rows = await m.query<{ tenant_id: string; seq: string; hash: string }[]>(
        `SELECT tenant_id, seq, hash FROM audit.chain_heads WHERE tenant_id = ANY($1::text[]) ORDER BY tenant_id FOR UPDATE`,
        [tenants],
      );
      return new Map(rows.map((h) => [h.tenant_id, { seq: Number(h.seq), hash: h.hash }]));
    };
    const heads = await lock();
    if (heads.size === tenants.length) return heads;
    // Another writer may create the same heads meanwhile: the insert waits for it, and skips them.
    await m.query(`INSERT INTO audit.chain_heads (tenant_id, seq, hash) SELECT t, 0, $2 FROM unnest($1::text[]) AS t ON CONFLICT DO NOTHING`, [tenants.filter((t) => !heads.has(t)), GENESIS.hash]);
    return lock();
  }

  /** Links the records onto their tenants' chains and writes them and the new heads, in one statement. */
  private async write(m: EntityManager, fresh: HistoryRecord[], heads: Map<string, ChainHead>): Promise<void> {
    const placed = new Map<HistoryRecord, ChainHead>();
    const newHeads: { tenantId: string; head: ChainHead }[] = [];
    const byTenant = Map.groupBy(fresh, (i) => i.tenantId);
    for (const [tenantId, own] of byTenant) {
      const linked = link(heads.get(tenantId)!, own.map(contentOf));
      own.forEach((item, n) => placed.set(item, linked.links[n]!));
      newHeads.push({ tenantId, head: linked.head });
    }
    const params = new SqlParameters();
    const statements = [...Map.groupBy(fresh, (i) => i.table)].map(([table, records]) =>
      insertRecords(
        params,
        table,
        records.map((record) => ({ record, place: placed.get(record)! })),
      ),
    );
    statements.push(
      `UPDATE audit.chain_heads h SET seq = n.seq, hash = n.hash
         FROM unnest(${params.add(
           newHeads.map((h) => h.tenantId),
           'text[]',
         )}, ${params.add(
           newHeads.map((h) => h.head.seq),
           'bigint[]',
         )}, ${params.add(
           newHeads.map((h) => h.head.hash),
           'text[]',
         )}) AS n(tenant_id, seq, hash)
        WHERE h.tenant_id = n.tenant_id`,
    );
    // Data-modifying statements in WITH all run, to completion, with the same snapshot.
    await m.query(`WITH ${statements.map((sql, i) => `w${i} AS (${sql})`).join(', ')} SELECT 1`, params.values);
  }

  /** Which of these are in the store already (keys as table|tenant|key). */
  private async recorded(m: EntityManager, items: HistoryRecord[]): Promise<Set<string>> {
    const out = new Set<string>();
    const messages = items.filter((i): i is Extract<HistoryRecord, { table: 'message_events' }> => i.table === 'message_events');
    if (messages.length > 0) {
      const rows = await m.query<{ tenant_id: string; message_id: string; event_key: string }[]>(
        `SELECT e.tenant_id, e.message_id, e.event_key FROM audit.message_events e
           JOIN unnest($1::uuid[], $2::text[]) AS k(message_id, event_key) ON e.message_id = k.message_id AND e.event_key = k.event_key`,
        [messages.map((i) => i.event.messageId), messages.map((i) => i.event.eventKey)],
      );
      for (const r of rows) out.add(`message_events|${r.tenant_id}|${r.message_id}|${r.event_key}`);
    }
    for (const [table, column] of [
      ['consent_events', 'change_id'],
      ['tenant_events', 'event_id'],
    ] as const) {
      const own = items.filter((i) => i.table === table);
      if (own.length === 0) continue;
      const rows = await m.query<{ tenant_id: string; key: string }[]>(
        `SELECT e.tenant_id, e.${column} AS key FROM audit.${table} e
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, key) ON e.tenant_id = k.tenant_id AND e.${column} = k.key`,
        [own.map((i) => i.tenantId), own.map((i) => i.key)],
      );
      for (const r of rows) out.add(`${table}|${r.tenant_id}|${r.key}`);
    }
    return out;
  }

  /** One event of a message's history by its key, if it was recorded. */
  async event(tenantId: string, messageId: string, eventKey: string): Promise<StoredEvent | undefined> {
    const rows = await this.db.query<MessageEventRow[]>(`SELECT * FROM audit.message_events WHERE tenant_id = $1 AND message_id = $2 AND event_key = $3`, [tenantId, messageId, eventKey]);
    return rows.map(toStored)[0];
  }

  /** A message's history, in the order things happened. */
  async forMessage(tenantId: string, messageId: string): Promise<StoredEvent[]> {
    return (await this.forMessages([{ tenantId, id: messageId }])).get(messageId) ?? [];
  }

  /** The histories of several messages (each of its tenant), by message id, each in the order things happened. */
  async forMessages(messages: readonly { tenantId: string; id: string }[]): Promise<Map<string, StoredEvent[]>> {
    const out = new Map<string, StoredEvent[]>();
    if (messages.length === 0) return out;
    const rows = await this.db.query<MessageEventRow[]>(
      `SELECT e.* FROM audit.message_events e JOIN unnest($1::text[], $2::uuid[]) AS k(tenant_id, message_id) USING (tenant_id, message_id) ORDER BY e.occurred_at, e.seq`,
      [messages.map((m) => m.tenantId), messages.map((m) => m.id)],
    );
    for (const r of rows) out.set(r.message_id, [...(out.get(r.message_id) ?? []), toStored(r)]);
    return out;
  }

  /** Every consent change of one person, oldest first. */
  async consentChanges(tenantId: string, recipientToken: string): Promise<StoredConsentEvent[]> {
    const rows = await this.db.query<
      {
        change_id: string;
        tenant_id: string;
        recipient_token: string;
        kind: ConsentChangeEvent['kind'];
        brand: string | null;
        campaign: string | null;
        scope: string | null;
        basis: ConsentChangeEvent['basis'] | null;
        source: string;
        proof: ConsentChangeEvent['proof'];
        occurred_at: Date;
        recorded_at: Date;
        seq: string;
      }[]
    >(`SELECT * FROM audit.consent_events WHERE tenant_id = $1 AND recipient_token = $2 ORDER BY occurred_at, seq`, [tenantId, recipientToken]);
    return rows.map((r) => ({
      changeId: r.change_id,
      tenantId: r.tenant_id,
      recipientToken: r.recipient_token,
      kind: r.kind,
      ...(r.brand !== null ? { brand: r.brand } : {}),
      ...(r.campaign !== null ? { campaign: r.campaign } : {}),
      ...(r.scope !== null ? { scope: r.scope } : {}),
      ...(r.basis !== null ? { basis: r.basis } : {}),
      source: r.source,
      proof: r.proof,
      at: r.occurred_at.toISOString(),
      recordedAt: r.recorded_at.toISOString(),
      seq: Number(r.seq),
    }));
  }

  /** Recomputes a tenant's whole chain from the stored records, in sequence order, page by page. */
  async verify(tenantId: string): Promise<VerifyResult> {
    const records: { seq: number; hash: string; content: unknown }[] = [];
    const page = 5_000;
    for (let after = 0; ;) {
      const rows = await this.db.query<{ t: string; seq: string; hash: string; row: Record<string, unknown> }[]>(
        `SELECT t, seq, hash, row FROM (
           SELECT 'message_events' AS t, seq, hash, to_jsonb(e) AS row FROM audit.message_events e WHERE tenant_id = $1 AND seq > $2
           UNION ALL SELECT 'consent_events', seq, hash, to_jsonb(c) FROM audit.consent_events c WHERE tenant_id = $1 AND seq > $2
           UNION ALL SELECT 'tenant_events', seq, hash, to_jsonb(x) FROM audit.tenant_events x WHERE tenant_id = $1 AND seq > $2
         ) all_records ORDER BY seq LIMIT $3`,
        [tenantId, after, page],
      );
      for (const r of rows) records.push({ seq: Number(r.seq), hash: r.hash, content: contentFromRow(r.t, r.row) });
      if (rows.length < page) break;
      after = Number(rows.at(-1)!.seq);
    }
    const result = verifyChain(records);
    if (!result.ok) return result;
    const [head] = await this.db.query<{ seq: string; hash: string }[]>(`SELECT seq, hash FROM audit.chain_heads WHERE tenant_id = $1`, [tenantId]);
    if (head && (Number(head.seq) !== result.head.seq || head.hash !== result.head.hash)) {
      return { ok: false, records: records.length, brokenAt: result.head.seq + 1, reason: `the chain head is at ${head.seq} but the records end at ${result.head.seq}: records were removed` };
    }
    return result;
  }

  async tenantsWithHistory(): Promise<string[]> {
    const rows = await this.db.query<{ tenant_id: string }[]>(`SELECT tenant_id FROM audit.chain_heads ORDER BY tenant_id`);
    return rows.map((r) => r.tenant_id);
  }
}
