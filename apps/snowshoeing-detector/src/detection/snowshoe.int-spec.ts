import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { lastVerdict, TOPICS, type MessageEnvelope, type TenantConfigEvent } from '@sms/contracts';
import { encodeValue } from '@sms/kafka';
import { anEnvelope, aTenant, produceRaw, publishTenant, startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import { Redis } from 'ioredis';
import { SnowshoeingDetectorModule } from '../app.module.js';
import { SNOWSHOE_CONFIG } from '../config.js';
import { loadSnowshoeRules, loadTextNormalisation } from '../rules/rule-data.js';
import { RedisStore, redisStoreSettings } from './redis-store.js';
import { StreamDetector } from './stream-detector.js';

// The detector against real Kafka, Redis and PostgreSQL: a restart mid-stream and two instances
// give the decisions one uninterrupted in-memory run gives; the shared index matches the
// a redelivered message gets its first verdict again whatever Redis forgot. (That the shared
// index matches the in-memory one, over the evaluation's traffic: scripts/eval/redis-index.int-spec.ts.)
const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
const rules = loadSnowshoeRules();
const text = loadTextNormalisation();
const redis = new Redis(stack.redisUrl, { lazyConnect: true });
const runId = randomUUID().slice(0, 8);
const prefixes: string[] = [];
const services: RunningService[] = [];
let cleared: TopicTap<typeof TOPICS.cleared.schema>;
let stopped: TopicTap<typeof TOPICS.stopped.schema>;

const MS = () => `MG${randomUUID().replace(/-/g, '')}`;
let numberSerial = 0;
const uniqueNumber = (area: string) => `+1${area}${String(2_000_000 + ((Date.now() + numberSerial++ * 7919) % 7_000_000)).padStart(7, '0')}`;

function tenantWith(prefix: string, count: number, viaService: boolean): { tenant: TenantConfigEvent; numbers: string[]; ms: string } {
  const ms = MS();
  const numbers = Array.from({ length: count }, () => uniqueNumber('404'));
  const tenant = aTenant({
    tenantId: `${prefix}-${randomUUID().slice(0, 8)}`,
    senders: numbers.map((number) => ({ number, type: 'long_code', brand: 'Acme Dental', ...(viaService ? { messagingServiceSid: ms } : {}) })),
    messagingServices: viaService ? [{ sid: ms, name: 'pool' }] : [],
  });
  return { tenant, numbers, ms };
}

async function startDetector(prefix: string): Promise<RunningService> {
  const service = await startServiceInProcess({
    name: 'snowshoeing-detector',
    spec: SNOWSHOE_CONFIG,
    module: (c, l) => SnowshoeingDetectorModule.forRoot(c, l),
    env: { SNOWSHOE_REDIS_PREFIX: prefix },
  });
  services.push(service);
  prefixes.push(service.app.get(RedisStore).prefix);
  return service;
}

async function stopDetector(service: RunningService): Promise<void> {
  await service.stop();
  services.splice(services.indexOf(service), 1);
}

async function screen(messages: MessageEnvelope[], key: (m: MessageEnvelope, i: number) => string): Promise<void> {
  await produceRaw(
    kafka,
    TOPICS.screened.name,
    messages.map((m, i) => ({ key: key(m, i), value: encodeValue(m) })),
  );
}

/** The detector's verdict for each message, once every one has left the stage. */
async function decisions(messages: MessageEnvelope[]): Promise<Map<string, { decision: string; cluster: string; distinctSenders: number; clauses: string[]; facts: Record<string, unknown> }>> {
  const ids = new Set(messages.map((m) => m.id));
  return waitFor(
    `${ids.size} messages decided by the snowshoeing detector`,
    async () => {
      const found = new Map<string, { decision: string; cluster: string; distinctSenders: number; clauses: string[]; facts: Record<string, unknown> }>();
      for (const r of [...cleared.records, ...stopped.records]) {
        const v = r.value;
        if (!v || !ids.has(v.id)) continue;
        const verdict = lastVerdict(v)!;
        if (verdict.stage !== 'snowshoeing-detector') continue;
        found.set(v.id, {
          decision: verdict.decision,
          cluster: String(verdict.facts['cluster']),
          distinctSenders: Number(verdict.facts['distinctSenders']),
          clauses: verdict.clauses,
          facts: verdict.facts,
        });
      }
      return found.size === ids.size ? found : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
}

/** The detector's decisions for one message (passes first), once there are `count` of them. */
async function verdictsOf(id: string, count: number): Promise<string[]> {
  return waitFor(
    `${count} decisions for message ${id}`,
    async () => {
      const found = [...cleared.records, ...stopped.records].filter((r) => r.value?.id === id && lastVerdict(r.value)?.stage === 'snowshoeing-detector').map((r) => lastVerdict(r.value!)!.decision);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
}

/** What one uninterrupted run of the same code in memory decides for the same messages. */
function expected(messages: MessageEnvelope[], tenants: TenantConfigEvent[]): Map<string, { decision: string; cluster: string; distinctSenders: number }> {
  const detector = new StreamDetector(rules, text, new Map(tenants.map((t) => [t.tenantId, t])));
  return new Map(
    messages.map((m) => {
      const d = detector.process({
        id: m.id,
        tenant: m.tenantId,
        campaign: m.message.campaign,
        brand: m.message.brand,
        to: m.message.to,
        body: m.message.body,
        at: m.acceptedAt,
        ...(m.message.from ? { from: m.message.from } : {}),
        ...(m.message.messagingServiceSid ? { messagingServiceSid: m.message.messagingServiceSid } : {}),
      });
      return [m.id, { decision: d.verdict.decision, cluster: d.clusterId, distinctSenders: Number(d.verdict.facts['distinctSenders']) }];
    }),
  );
}

// A minute apart: a promotion trickling over many numbers is what the spread rules look for.
let clock = Date.now() - 4 * 3_600_000;
function envelope(tenant: TenantConfigEvent, body: string, sender: { from?: string; ms?: string }): MessageEnvelope {
  clock += 60_000;
  return anEnvelope({
    tenantId: tenant.tenantId,
    acceptedAt: new Date(clock).toISOString(),
    message: { from: sender.from, ...(sender.ms ? { messagingServiceSid: sender.ms } : {}), to: uniqueNumber('212'), campaign: 'offers', useCase: 'marketing', body },
  });
}

const names = ['Sarah', 'John', 'Maria', 'Ahmed', 'Li', 'Olga'];

before(async () => {
  await redis.connect();
  cleared = await new TopicTap(kafka, TOPICS.cleared).start();
  stopped = await new TopicTap(kafka, TOPICS.stopped).start();
});

after(async () => {
  for (const s of [...services]) await s.stop();
  for (const prefix of prefixes) await new RedisStore(redis, prefix, redisStoreSettings(rules)).deleteAll();
  await cleared.stop();
  await stopped.stop();
  assert.equal((await redis.keys(`snowshoe-it-${runId}*`)).length, 0, 'the tests leave nothing in Redis');
  await redis.quit();
});

describe('snowshoeing detector with Kafka and Redis', () => {
  it('gets the same decisions when it restarts mid-stream', async () => {
    const clinic = tenantWith('clinic', 5, true);
    const promo = tenantWith('promo', 20, false);
    await publishTenant(clinic.tenant);
    await publishTenant(promo.tenant);
    const stream: MessageEnvelope[] = [];
    for (let i = 0; i < 60; i++) {
      stream.push(
        envelope(clinic.tenant, `Hi ${names[i % 6]}, this is Acme Dental: your cleaning is on Dec ${1 + (i % 28)} at ${8 + (i % 8)}:30. Reply C to confirm. Reply STOP to opt out.`, { ms: clinic.ms }),
      );
      stream.push(
        envelope(
          promo.tenant,
          `${['Hi', 'Hello', 'Hey'][i % 3]} ${names[i % 6]}, ${['claim', 'grab'][i % 2]} your free whitening kit worth $${50 + i} today at smile-deals.example, limited stock for members`,
          { from: promo.numbers[Math.floor(i / 2) % 20] },
        ),
      );
    }
    const prefix = `snowshoe-it-${runId}-restart:`;
    const half = Math.floor(stream.length / 2);
    // One key: one partition, so the order is the stream's and the comparison exact.
    const key = () => 'one-partition';

    let detector = await startDetector(prefix);
    await screen(stream.slice(0, half), key);
    await decisions(stream.slice(0, half));
    await stopDetector(detector);
    detector = await startDetector(prefix);
    await screen(stream.slice(half), key);
    const got = await decisions(stream);

    const want = expected(stream, [clinic.tenant, promo.tenant]);
    for (const m of stream) {
      const g = got.get(m.id)!;
      assert.deepEqual({ decision: g.decision, cluster: g.cluster, distinctSenders: g.distinctSenders }, want.get(m.id), `message ${stream.indexOf(m)}`);
    }
    const kinds = new Set([...got.values()].map((d) => d.decision));
    assert.ok(kinds.has('pass') && kinds.has('hold'), `both passes and holds: ${[...kinds].join(', ')}`);
    assert.ok(
      stream.slice(half).some((m) => got.get(m.id)!.decision === 'hold'),
      'the hold carries over the restart',
    );
    await stopDetector(detector);
  });

  it('gets the same decisions from two instances as from one', async () => {
    const prefix = `snowshoe-it-${runId}-pair:`;
    const first = await startDetector(prefix);
    const second = await startDetector(prefix);
    const warm = tenantWith('warm', 1, false);
    await publishTenant(warm.tenant);
    // Until both instances own partitions, one would take every message: send a few until both have worked.
    await waitFor(
      'both instances to consume',
      async () => {
        const batch = Array.from({ length: 12 }, (_, i) => envelope(warm.tenant, `Warm-up note ${randomUUID()} ${i}`, { from: warm.numbers[0] }));
        await screen(batch, (_m, i) => `warm-${i}-${randomUUID()}`);
        const counts = await Promise.all([first, second].map(async (s) => (await (await fetch(`${s.url}/metrics`)).text()).match(/snowshoe_cluster_assignments_total\{[^}]*\} (\d+)/g)?.length ?? 0));
        return counts.every((c) => c > 0) ? counts : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );

    const practices = Array.from({ length: 8 }, () => tenantWith('practice', 2, false));
    const spam = tenantWith('spam', 30, false);
    for (const t of [...practices, spam]) await publishTenant(t.tenant);
    const stream: MessageEnvelope[] = [];
    practices.forEach((p, k) => {
      for (let i = 0; i < 8; i++)
        stream.push(
          envelope(
            p.tenant,
            `Practice ${'ABCDEFGH'[k]} ${['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'][k]}: ${names[i % 6]}, your visit is on Dec ${i + 1}. Reply STOP to opt out.`,
            { from: p.numbers[i % 2] },
          ),
        );
    });
    // Every spam message from a number of its own, a minute apart.
    spam.numbers.forEach((from, i) =>
      stream.push(envelope(spam.tenant, `${names[i % 6]}, claim your free whitening kit worth $${50 + i} today at smile-deals.example, limited stock for members`, { from })),
    );
    // And other content from a number outside every pool: blocked on its own.
    stream.push(envelope(spam.tenant, 'Porcelain veneers for everyone at cheap-veneers.example, book soon and save big this winter season', { from: '+16505550001' }));

    // The practices' messages keyed by recipient, as upstream stages key them, so they cross
    // partitions and instances in any order. The spam campaign arrives in the order it was sent
    // (one key): its rate over time, and so which of its messages are held, depends on that order.
    await screen(stream, (m) => (m.tenantId === spam.tenant.tenantId ? 'spam-in-order' : m.message.to));
    const got = await decisions(stream);
    const want = expected(stream, [...practices.map((p) => p.tenant), spam.tenant]);
    // The same groups of messages with the same decisions in each. (A cluster is named after the
    // template of its first message, and which one comes first across partitions depends on timing.)
    const byGroup = (map: Map<string, { decision: string; cluster: string }>) => {
      const clusters = new Map<string, string[]>();
      for (const [id, d] of map) clusters.set(d.cluster, [...(clusters.get(d.cluster) ?? []), id]);
      const out: Record<string, Record<string, number>> = {};
      for (const ids of clusters.values()) {
        const counts: Record<string, number> = {};
        for (const id of ids) counts[map.get(id)!.decision] = (counts[map.get(id)!.decision] ?? 0) + 1;
        out[ids.sort().join(',')] = counts;
      }
      return out;
    };
    assert.deepEqual(byGroup(got), byGroup(want));
    const holds = [...want.values()].filter((d) => d.decision === 'hold').length;
    assert.ok(holds >= 15, `the spam cluster held once its numbers outnumber what its volume needs (${holds} of 30)`);
    assert.equal([...got.values()].filter((d) => d.decision === 'hold').length, holds);

    const held = [...got.values()].find((d) => d.decision === 'hold')!;
    assert.ok(held.clauses.includes('MP.EVASION.SNOWSHOE'));
    for (const fact of ['cluster', 'window', 'distinctSenders', 'samples', 'rule']) assert.ok(fact in held.facts, `evidence has ${fact}`);

    // What operators see, with the operator's key only: the clusters name every tenant's numbers.
    assert.equal((await fetch(`${first.url}/v1/clusters`)).status, 401, 'no key');
    assert.equal((await fetch(`${first.url}/v1/clusters`, { headers: { authorization: 'Bearer not-the-operator-key-000000000000' } })).status, 401, 'a wrong key');
    const operator = { headers: { authorization: `Bearer ${stack.adminApiKey}` } };
    const clusters = (await (await fetch(`${first.url}/v1/clusters?state=stopped`, operator)).json()) as { clusters: { id: string; state: string; windows: { distinctSenders: number }[] }[] };
    const view = clusters.clusters.find((c) => c.id === held.cluster);
    assert.equal(view?.state, 'hold');
    assert.ok(Math.max(...view.windows.map((w) => w.distinctSenders)) >= 30);
    const metrics = (await Promise.all([first, second].map(async (s) => (await fetch(`${s.url}/metrics`)).text()))).join('\n');
    assert.match(metrics, /snowshoe_alerts_total\{decision="hold",rule="[a-z-]+"\} 1/);
    const one = await fetch(`${first.url}/v1/clusters/${held.cluster}`, operator);
    assert.equal(one.status, 200);
    assert.equal((await fetch(`${first.url}/v1/clusters/ffffffffffffffff`, operator)).status, 404);
    assert.equal((await fetch(`${first.url}/v1/clusters/${held.cluster}`)).status, 401);
  });

  it('gives a redelivered message its first verdict again after Redis forgot it, though a fresh decision would now differ', async () => {
    // Alone in its consumer groups: an instance of another test (its own Redis prefix) would take partitions.
    for (const s of [...services]) await stopDetector(s);
    const prefix = `snowshoe-it-${runId}-redelivery:`;
    const detector = await startDetector(prefix);
    const keyPrefix = detector.app.get(RedisStore).prefix;
    const spam = tenantWith('redelivered', 30, false);
    await publishTenant(spam.tenant);
    const body = (i: number) => `${names[i % 6]}, claim your free teeth whitening kit worth $${50 + i} today at bright-kits.example, few left for members`;
    // One number per message, a minute apart, in order: the first ones pass, then the cluster is held.
    const stream = spam.numbers.map((from, i) => envelope(spam.tenant, body(i), { from }));
    await screen(stream, () => 'redelivered-in-order');
    const first = await decisions(stream);
    const passed = stream[0]!;
    const held = stream.at(-1)!;
    assert.equal(first.get(passed.id)!.decision, 'pass');
    assert.equal(first.get(held.id)!.decision, 'hold');
    const cluster = first.get(held.id)!.cluster;
    const operator = { headers: { authorization: `Bearer ${stack.adminApiKey}` } };
    const state = async () => ((await (await fetch(`${detector.url}/v1/clusters/${cluster}`, operator)).json()) as { state: string }).state;
    assert.equal(await state(), 'hold', 'the cluster is stopped: a fresh decision of any of its messages is a hold');

    // Redis forgets everything but the windows and the index (a verdict kept there expired).
    const windows = new Set(['t', 'b', 'v', 'o', 'c', 'f', 'm', 'active']);
    const forgotten = (await redis.keys(`${keyPrefix}*`)).filter((k) => !windows.has(k.slice(keyPrefix.length).split(':')[0]!));
    if (forgotten.length > 0) await redis.del(...forgotten);
    assert.equal(await state(), 'hold', 'the windows are still there');
    await screen([passed], () => 'redelivered-in-order');
    assert.deepEqual(await verdictsOf(passed.id, 2), ['pass', 'pass'], 'the message passed (and perhaps went out) is not held on its redelivery');

    // Redis loses everything (a restart without AOF): new messages of the campaign start afresh and pass...
    await new RedisStore(redis, keyPrefix, redisStoreSettings(rules)).deleteAll();
    const afresh = envelope(spam.tenant, body(99), { from: spam.numbers[0] });
    await screen([afresh], () => 'redelivered-in-order');
    assert.equal((await decisions([afresh])).get(afresh.id)!.decision, 'pass', 'after the loss a fresh decision passes');
    // ...but the held message, redelivered, is still held: a pass now would send what a reviewer holds.
    await screen([held], () => 'redelivered-in-order');
    assert.deepEqual(await verdictsOf(held.id, 2), ['hold', 'hold']);

    const metrics = await (await fetch(`${detector.url}/metrics`)).text();
    for (const decision of ['pass', 'hold']) {
      const repeated = Number(new RegExp(`snowshoe_decisions_repeated_total\\{decision="${decision}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
      assert.ok(repeated >= 1, `the repeated ${decision} is counted`);
    }
    await stopDetector(detector);
  });
});
