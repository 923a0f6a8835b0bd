// node apps/snowshoeing-detector/dist/bench/redis-store.bench.js [--messages N --batch N --redis URL]
// What the service's two stages cost with their state in Redis (127.0.0.1:6379 by default):
// batches as the Kafka consumers get them, assigned to clusters by the Lua script, then
// loaded, decided and saved, without Kafka. Its keys have a prefix of their own and are
// deleted afterwards. Figures, printed, never asserted.
import type { ClusteredMessageEvent, MessageEnvelope } from '@sms/contracts';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { indexSettings } from '../detection/cluster-assignment.js';
import { RedisStore } from '../detection/redis-store.js';
import { generateTraffic } from '../eval/traffic.js';
import { decideSnowshoe, senderOf } from '../rules/decide-snowshoe.js';
import { fingerprint, TextRules } from '../rules/fingerprint.js';
import { loadSnowshoeRules, loadTextNormalisation } from '../rules/rule-data.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const total = Number(option('messages', '30000'));
const batchSize = Number(option('batch', '500'));
const rules = loadSnowshoeRules();
const text = new TextRules(loadTextNormalisation());
const traffic = generateTraffic(3, total / 10_000);
const tenants = new Map(traffic.tenants.map((t) => [t.tenantId, t]));
const redis = new Redis(option('redis', 'redis://127.0.0.1:6379'));
const day = Math.max(...rules.windows.map((w) => w.ms));
const store = new RedisStore(redis, `snowshoe-bench-${randomUUID().slice(0, 8)}:`, { ...indexSettings(rules.similarity, day), senderTtlMs: day, decisionTtlMs: 3_600_000 });

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
    const batch = envelopes.slice(i, i + batchSize);
    const fingerprints = batch.map((e) => fingerprint(e.message.body, text, rules.similarity));
    const assigned = await store.assign(fingerprints, Date.now());
    const clustered: ClusteredMessageEvent[] = batch.map((envelope, k) => ({ envelope, template: fingerprints[k]!.template, ...assigned[k]! }));
    const view = await store.load(
      clustered.map((c) => c.clusterId),
      clustered.map((c) => `${c.envelope.tenantId}|${senderOf(c.envelope, tenants.get(c.envelope.tenantId))}`),
      clustered.map((c) => `${c.envelope.id}:0`),
    );
    const now = new Date().toISOString();
    for (const c of clustered) {
      const d = decideSnowshoe(c, tenants.get(c.envelope.tenantId), view, rules, 'tenants', now);
      view.decisions.set(`${c.envelope.id}:0`, { verdict: d.verdict, clusterId: d.clusterId, distinctSenders: d.distinctSenders });
    }
    await store.save(view, Date.now());
    roundTrips += 4; // templates, assignment, load, save
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
