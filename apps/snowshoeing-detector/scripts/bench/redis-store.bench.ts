// node apps/snowshoeing-detector/dist-scripts/bench/redis-store.bench.js [--messages N --batch N --redis URL --database URL]
// What the service's two stages cost with their state in Redis (127.0.0.1:6379 by default) and
// their verdicts in PostgreSQL (a database of its own by default, created and migrated if
// missing): batches as the Kafka consumers get them, through the consumers' own batch functions
// (assigned to clusters by the Lua script, verdicts given and state loaded, markers counted,
// decided, verdicts written, state saved), without Kafka. Its keys have a prefix of their own
// and its verdicts ids of their own; both are deleted afterwards. Figures, printed, never asserted.
import type { MessageEnvelope } from '@sms/contracts';
import { ensureDatabase, migrate } from '@sms/database';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SNOWSHOE_SCHEMA, snowshoeDataSource } from '../../src/database/data-source.js';
import { DecisionsRepository } from '../../src/decisions/decisions.repository.js';
import { assignBatch, decideBatch } from '../../src/detection/detector-batch.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { RedisStore, redisStoreSettings } from '../../src/detection/redis-store.js';
import { generateTraffic } from '../eval/traffic.js';
import { option } from '../options.js';

const total = Number(option('messages', '30000'));
const batchSize = Number(option('batch', '500'));
const rules = loadRuleData();
const traffic = generateTraffic(3, total / 10_000);
const tenants = new Map(traffic.tenants.map((t) => [t.tenantId, t]));
const redis = new Redis(option('redis', 'redis://127.0.0.1:6379'));
const store = new RedisStore(redis, `snowshoe-bench-${randomUUID().slice(0, 8)}:`, redisStoreSettings(rules.snowshoe));
const databaseUrl = option('database', 'postgres://postgres@127.0.0.1:5432/sms_gateway_bench');
await ensureDatabase(databaseUrl);
const db = snowshoeDataSource(databaseUrl);
await migrate(db, SNOWSHOE_SCHEMA);
const decisions = new DecisionsRepository(db);

// The generated day, moved to now so that Redis expiry (wall clock) and the windows agree.
const shift = Date.now() - (traffic.stream.at(-1)!.at as number);
const envelopes: MessageEnvelope[] = traffic.stream.slice(0, total).map((m) => ({
  schema: 'sms.envelope',
  version: 1,
  id: randomUUID(),
  tenantId: m.tenant,
  kind: 'standard',
  channel: 'kafka',
  acceptedAt: new Date((m.at as number) + shift).toISOString(),
  message: {
    to: m.to,
    ...(m.from ? { from: m.from } : {}),
    ...(m.messagingServiceSid ? { messagingServiceSid: m.messagingServiceSid } : {}),
    brand: tenants.get(m.tenant)?.brands[0]?.name ?? m.tenant,
    campaign: m.campaign,
    useCase: 'marketing',
    body: m.body,
  },
  recipient: { country: 'US' },
  verdicts: [],
}));

try {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let roundTrips = 0;
  for (let i = 0; i < envelopes.length; i += batchSize) {
    const clustered = await assignBatch(store, rules, envelopes.slice(i, i + batchSize), Date.now());
    await decideBatch(store, decisions, rules, (id) => tenants.get(id), clustered, new Date());
    roundTrips += 5; // templates, assignment, load (with the verdicts given), markers, save (verdicts, then state)
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `redis-backed detector: ${envelopes.length} messages in batches of ${batchSize}, ${roundTrips} round trips (each verdict read and write is one PostgreSQL statement per batch, beside Redis)`,
  );
  console.log(
    `${Math.round(envelopes.length / seconds).toLocaleString('en-US')} messages/s (wall clock, Redis and PostgreSQL on this machine); ${((cpu.user + cpu.system) / envelopes.length).toFixed(1)} µs CPU per message in this process`,
  );
  const [size] = await db.query<{ rows: string; bytes: string }[]>(
    `SELECT count(*) AS rows, coalesce(sum(pg_column_size(d.*)), 0) AS bytes FROM snowshoe.decisions d WHERE message_id = ANY($1::uuid[])`,
    [envelopes.map((e) => e.id)],
  );
  console.log(`verdicts stored: ${size!.rows}, ${Math.round(Number(size!.bytes) / Math.max(1, Number(size!.rows)))} bytes per row on average (without the two indexes)`);
} finally {
  const deleted = await store.deleteAll();
  await db.query(`DELETE FROM snowshoe.decisions WHERE message_id = ANY($1::uuid[])`, [envelopes.map((e) => e.id)]);
  console.log(`deleted ${deleted} keys and this run's verdicts`);
  await redis.quit();
  await db.destroy();
}
