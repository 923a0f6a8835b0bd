// node apps/snowshoeing-detector/dist/bench/redis-store.bench.js [--messages N --batch N --redis URL]
// What the service's two stages cost with their state in Redis (127.0.0.1:6379 by default):
// batches as the Kafka consumers get them, through the consumers' own batch functions
// (assigned to clusters by the Lua script, markers counted, loaded, decided and saved),
// without Kafka. Its keys have a prefix of their own and are
// deleted afterwards. Figures, printed, never asserted.
import type { MessageEnvelope } from '@sms/contracts';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { assignBatch, decideBatch } from '../detection/detector-batch.js';
import { DetectorRules } from '../detection/detector-rules.js';
import { RedisStore, redisStoreSettings } from '../detection/redis-store.js';
import { generateTraffic } from '../eval/traffic.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const total = Number(option('messages', '30000'));
const batchSize = Number(option('batch', '500'));
const rules = new DetectorRules();
const traffic = generateTraffic(3, total / 10_000);
const tenants = new Map(traffic.tenants.map((t) => [t.tenantId, t]));
const redis = new Redis(option('redis', 'redis://127.0.0.1:6379'));
const store = new RedisStore(redis, `snowshoe-bench-${randomUUID().slice(0, 8)}:`, redisStoreSettings(rules.data, 3_600_000));

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
  message: { to: m.to, ...(m.from ? { from: m.from } : {}), ...(m.messagingServiceSid ? { messagingServiceSid: m.messagingServiceSid } : {}), brand: tenants.get(m.tenant)?.brands[0]?.name ?? m.tenant, campaign: m.campaign, useCase: 'marketing', body: m.body },
  recipient: { country: 'US' },
  verdicts: [],
}));

try {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let roundTrips = 0;
  for (let i = 0; i < envelopes.length; i += batchSize) {
    const clustered = await assignBatch(store, rules, envelopes.slice(i, i + batchSize), Date.now());
    await decideBatch(store, rules, (id) => tenants.get(id), clustered, new Date());
    roundTrips += 5; // templates, assignment, load, markers, save
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`redis-backed detector: ${envelopes.length} messages in batches of ${batchSize}, ${roundTrips} Redis round trips`);
  console.log(`${Math.round(envelopes.length / seconds).toLocaleString('en-US')} messages/s (wall clock, Redis on this machine); ${((cpu.user + cpu.system) / envelopes.length).toFixed(1)} µs CPU per message in this process`);
} finally {
  const deleted = await store.deleteAll();
  console.log(`deleted ${deleted} keys`);
  await redis.quit();
}
