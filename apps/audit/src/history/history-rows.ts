import type { ConsentChangeEvent } from '@sms/contracts';
import type { ChainHead } from '../rules/hash-chain.js';
import type { HistoryEvent } from '../rules/history.js';
import type { TenantEvent } from './history-content.js';

/** A record to append to its tenant's chain: its table, the key that makes it unique there, and the event. */
export type HistoryRecord =
  | { table: 'message_events'; tenantId: string; key: string; event: HistoryEvent }
  | { table: 'consent_events'; tenantId: string; key: string; event: ConsentChangeEvent }
  | { table: 'tenant_events'; tenantId: string; key: string; event: TenantEvent };

export type HistoryTable = HistoryRecord['table'];

interface Column<E> {
  name: string;
  /** The column's Postgres type: its values travel as one array parameter of it. */
  type: string;
  value: (event: E) => unknown;
  /** How the column is read from the unnested arrays, when not as it is. */
  select?: string;
}

type Columns = { [R in HistoryRecord as R['table']]: Column<R['event']>[] };

const json = (value: unknown): string => JSON.stringify(value);

/** Each table's own columns; every table also has its place in the chain (seq, hash), which is its key. */
const COLUMNS: Columns = {
  message_events: [
    { name: 'tenant_id', type: 'text', value: (e) => e.tenantId },
    { name: 'message_id', type: 'uuid', value: (e) => e.messageId },
    { name: 'event_key', type: 'text', value: (e) => e.eventKey },
    { name: 'kind', type: 'text', value: (e) => e.kind },
    { name: 'stage', type: 'text', value: (e) => e.stage },
    { name: 'decision', type: 'text', value: (e) => e.decision },
    // Arrays of arrays must be rectangular in Postgres: each row's clauses travel as JSON.
    { name: 'clauses', type: 'jsonb', value: (e) => json(e.clauses), select: 'ARRAY(SELECT jsonb_array_elements_text(clauses))' },
    { name: 'reason', type: 'text', value: (e) => e.reason },
    { name: 'status', type: 'text', value: (e) => e.status },
    { name: 'twilio_sid', type: 'text', value: (e) => e.twilioSid },
    { name: 'error_code', type: 'integer', value: (e) => e.errorCode },
    { name: 'facts', type: 'jsonb', value: (e) => json(e.facts) },
    { name: 'occurred_at', type: 'timestamptz', value: (e) => e.occurredAt },
    { name: 'campaign', type: 'text', value: (e) => e.campaign },
  ],
  consent_events: [
    { name: 'tenant_id', type: 'text', value: (c) => c.tenantId },
    { name: 'change_id', type: 'text', value: (c) => c.changeId },
    { name: 'recipient_token', type: 'text', value: (c) => c.recipientToken },
    { name: 'kind', type: 'text', value: (c) => c.kind },
    { name: 'brand', type: 'text', value: (c) => c.brand ?? null },
    { name: 'campaign', type: 'text', value: (c) => c.campaign ?? null },
    { name: 'scope', type: 'text', value: (c) => c.scope ?? null },
    { name: 'basis', type: 'text', value: (c) => c.basis ?? null },
    { name: 'source', type: 'text', value: (c) => c.source },
    { name: 'proof', type: 'jsonb', value: (c) => json(c.proof) },
    { name: 'occurred_at', type: 'timestamptz', value: (c) => c.at },
  ],
  tenant_events: [
    { name: 'tenant_id', type: 'text', value: (t) => t.tenantId },
    { name: 'event_id', type: 'text', value: (t) => t.eventId },
    { name: 'kind', type: 'text', value: (t) => t.kind },
    { name: 'campaign', type: 'text', value: (t) => t.campaign },
    { name: 'reason', type: 'text', value: (t) => t.reason },
    { name: 'actor', type: 'text', value: (t) => t.actor },
    { name: 'facts', type: 'jsonb', value: (t) => json(t.facts) },
    { name: 'occurred_at', type: 'timestamptz', value: (t) => t.occurredAt },
  ],
};

/** The parameters of one statement, numbered in the order they are added. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * One INSERT of records of one table (the caller groups them by it), each column's values
 * sent as one array and unnested: a statement per table, whatever the number of rows.
 */
export function insertRecords(params: SqlParameters, table: HistoryTable, records: { record: HistoryRecord; place: ChainHead }[]): string {
  type Row = (typeof records)[number];
  const own = COLUMNS[table] as Column<HistoryRecord['event']>[];
  const columns: Column<Row>[] = [
    ...own.map((c): Column<Row> => ({ ...c, value: (r) => c.value(r.record.event) })),
    { name: 'seq', type: 'bigint', value: (r) => r.place.seq },
    { name: 'hash', type: 'text', value: (r) => r.place.hash },
  ];
  const names = columns.map((c) => c.name).join(', ');
  const arrays = columns.map((c) => params.add(records.map(c.value), `${c.type}[]`)).join(', ');
  return `INSERT INTO audit.${table} (${names}) SELECT ${columns.map((c) => c.select ?? c.name).join(', ')} FROM unnest(${arrays}) AS r(${names})`;
}
