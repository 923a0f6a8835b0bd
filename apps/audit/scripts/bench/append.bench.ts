// What one history entry costs PostgreSQL when audit appends it. BENCH_ENTRIES entries (120,000 by
// default: 20,000 messages of six entries each, acceptance, three stage decisions and two statuses)
// of BENCH_TENANTS tenants (50) are appended through audit's own repository in batches of
// BENCH_BATCH (500; audit's transactions carry hundreds at the pipeline's maximum), one batch at
// a time as audit's consumer does. Printed per entry: the database's CPU (every PostgreSQL
// process of this machine, read from /proc: the database runs here), the WAL it wrote, and the
// size of the table's indexes. Printed, never asserted.
//   npm run bench:audit
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { testStack } from '@sms/testing';
import { auditDataSource } from '../../src/database/data-source.js';
import { HistoryRepository } from '../../src/history/history.repository.js';
import type { HistoryEvent } from '../../src/rules/history.js';

const entries = Number(process.env['BENCH_ENTRIES'] ?? 120_000);
const tenants = Number(process.env['BENCH_TENANTS'] ?? 50);
const batchSize = Number(process.env['BENCH_BATCH'] ?? 500);
const ticksPerSecond = 100;

/** CPU seconds spent so far by every PostgreSQL process (backends, WAL writer, checkpointer). */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerSecond;
}

const tenantIds = Array.from({ length: tenants }, (_, i) => `bench-${i}-${randomUUID().slice(0, 8)}`);
const KINDS = ['decision:consent:1', 'decision:content-screening:1', 'decision:snowshoeing-detector:1', 'status:accepted', 'status:sent', 'status:delivered'] as const;
function eventOf(i: number): HistoryEvent {
  const message = Math.floor(i / KINDS.length);
  const key = KINDS[i % KINDS.length]!;
  const decision = key.startsWith('decision:');
  return {
    tenantId: tenantIds[message % tenants]!,
    messageId: messageIds[message]!,
    campaign: 'reminders',
    eventKey: key,
    kind: decision ? 'decision' : 'status',
    stage: decision ? key.split(':')[1]! : null,
    decision: decision ? 'pass' : null,
    clauses: decision ? ['MP.CONSENT.PRIOR'] : [],
    reason: decision ? 'consent on record: prior relationship, informational' : null,
    status: decision ? null : (key.split(':')[1] as HistoryEvent['status']),
    twilioSid: key === 'status:sent' || key === 'status:delivered' ? `SM${randomUUID().replaceAll('-', '')}` : null,
    errorCode: null,
    facts: decision ? { basis: 'prior_relationship', rulesVersion: '2026-12-07.40' } : {},
    occurredAt: new Date().toISOString(),
  };
}
const messageIds = Array.from({ length: Math.ceil(entries / KINDS.length) }, () => randomUUID());

const db = auditDataSource(testStack().databaseUrl);
await db.initialize();
const history = new HistoryRepository(db);
// A first batch, apart: the connections opened and the statements planned.
await history.append(Array.from({ length: batchSize }, (_, i) => eventOf(i)));

const wal = async (): Promise<bigint> => BigInt((await db.query<{ b: string }[]>(`SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS b`))[0]!.b);
const walBefore = await wal();
const cpuBefore = postgresCpuSeconds();
const started = performance.now();
let recorded = 0;
for (let from = batchSize; from < entries; from += batchSize) {
  recorded += await history.append(Array.from({ length: Math.min(batchSize, entries - from) }, (_, i) => eventOf(from + i)));
}
const seconds = (performance.now() - started) / 1000;
const cpu = postgresCpuSeconds() - cpuBefore;
const walBytes = Number((await wal()) - walBefore);
const sizes = await db.query<{ name: string; bytes: string }[]>(
  `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'audit.message_events'::regclass ORDER BY 1`,
);
const [table] = await db.query<{ bytes: string }[]>(`SELECT pg_relation_size('audit.message_events') AS bytes`);
await db.destroy();

const perEntry = (value: number): string => (value / recorded).toFixed(1);
console.log(`audit history appends: ${recorded} entries of ${tenants} tenants in batches of ${batchSize}`);
console.log(`  entries per second           ${(recorded / seconds).toFixed(0)}`);
console.log(`  PostgreSQL CPU per entry     ${((cpu / recorded) * 1e6).toFixed(1)} µs`);
console.log(`  WAL per entry                ${perEntry(walBytes)} bytes`);
const perRow = (bytes: string): string => (Number(bytes) / (recorded + batchSize)).toFixed(1);
console.log(`  table per entry              ${perRow(table!.bytes)} bytes`);
for (const index of sizes) console.log(`  index ${index.name.padEnd(32)} ${perRow(index.bytes)} bytes per entry`);
