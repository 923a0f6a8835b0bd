// `npm run bench:dispatch`: dispatch throughput against the Twilio simulator across many
// senders. Not a test: it prints figures. tools/run-bench.mjs gives it a fresh broker and
// database (TEST_STACK_FILE); it runs the simulator and the dispatcher instances as child
// processes. BENCH_DISPATCHERS sets how many instances share the work (default 2).
//   TEST_SLOT=3 npm run bench:dispatch
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { TenantConfigEventSchema, TOPICS, type MessageEnvelope, type TenantConfigEvent } from '@sms/contracts';
import { createKafkaClient, encodeValue } from '@sms/kafka';
import type { SimMessage } from '@sms/testing';
import pg from 'pg';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..');
const stackFile = process.env['TEST_STACK_FILE'];
if (!stackFile) throw new Error('run it through tools/run-bench.mjs (npm run bench:dispatch), which sets TEST_STACK_FILE');
const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { kafkaBrokers: string[]; databaseUrl: string; piiHashKey: string; twilio: { accountSid: string; authToken: string } };
const instances = Number(process.env['BENCH_DISPATCHERS'] ?? 2);
const brokers = stack.kafkaBrokers;
const FLAGS = ['--enable-source-maps'];
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };

interface Scenario {
  name: string;
  type: 'long_code' | 'short_code';
  senders: number;
  perSender: number;
  /** Segments per second of one sender: the ideal duration is perSender / rate. */
  rate: number;
}

const SCENARIOS: Scenario[] = [
  { name: '400 long codes (1 segment/s each), 8 messages each', type: 'long_code', senders: 400, perSender: 8, rate: 1 },
  { name: '40 short codes (100 segments/s each), 250 messages each', type: 'short_code', senders: 40, perSender: 250, rate: 100 },
];

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not healthy`);
}

function start(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...FLAGS, join(ROOT, entry)], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function tenantFor(tenantId: string, scenario: Scenario): TenantConfigEvent {
  const base = 2_000_000 + (randomBytes(3).readUIntBE(0, 3) % 6_000_000);
  return TenantConfigEventSchema.parse({
    tenantId,
    name: `Bench ${scenario.name}`,
    status: 'active',
    apiKeyHashes: [],
    brands: [{ name: 'Bench Dental' }],
    campaigns: [{ id: 'reminders', brand: 'Bench Dental', useCase: 'informational' }],
    senders: Array.from({ length: scenario.senders }, (_, n) => ({ number: `+1415${String(base + n).padStart(7, '0')}`, type: scenario.type, brand: 'Bench Dental' })),
    messagingServices: [],
    settings: { informationalInQuietHours: 'send' },
    updatedAt: new Date().toISOString(),
  });
}

function envelope(tenantId: string, from: string, n: number): MessageEnvelope {
  return {
    schema: 'sms.envelope',
    version: 1,
    id: randomUUID(),
    tenantId,
    kind: 'standard',
    channel: 'kafka',
    acceptedAt: new Date().toISOString(),
    message: {
      to: `+1212${String(2_000_000 + n).padStart(7, '0')}`,
      from,
      brand: 'Bench Dental',
      campaign: 'reminders',
      useCase: 'informational',
      body: `Bench Dental: your visit is tomorrow at 9:00. Reply STOP to opt out. ${n}`,
    },
    recipient: { country: 'US', region: 'NY', timeZone: 'America/New_York' },
    verdicts: [],
  };
}

async function run(scenario: Scenario, simUrl: string): Promise<Record<string, string | number>> {
  const kafka = createKafkaClient({ brokers, clientId: 'bench', log: quiet });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const tenantId = `bench-${randomBytes(3).toString('hex')}`;
  const tenant = tenantFor(tenantId, scenario);
  await producer.send({ topic: TOPICS.tenantConfig.name, acks: -1, messages: [{ key: tenantId, value: encodeValue(tenant) }] });
  await new Promise((r) => setTimeout(r, 2_000)); // every instance reads the tenant before its messages

  await fetch(`${simUrl}/sim/state`, { method: 'DELETE' });
  const envelopes: MessageEnvelope[] = [];
  let n = 0;
  for (let round = 0; round < scenario.perSender; round++) for (const sender of tenant.senders) envelopes.push(envelope(tenantId, sender.number, n++));
  const started = Date.now();
  for (let i = 0; i < envelopes.length; i += 1_000) {
    const chunk = envelopes.slice(i, i + 1_000);
    await producer.send({ topic: TOPICS.cleared.name, acks: -1, messages: chunk.map((e) => ({ key: `${e.tenantId}|${e.message.from}`, value: encodeValue(e) })) });
  }
  const produced = Date.now();
  let received: SimMessage[] = [];
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const answer = (await (await fetch(`${simUrl}/sim/messages`)).json()) as { messages: SimMessage[] };
    received = answer.messages;
    if (received.length >= envelopes.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await producer.disconnect();

  const times = received.map((m) => Date.parse(m.receivedAt)).sort((a, b) => a - b);
  const first = times[0] ?? started;
  const last = times.at(-1) ?? started;
  // Pacing as Twilio would see it: gaps between one sender's sends shorter than 1/rate (less 50 ms of jitter).
  const bySender = new Map<string, number[]>();
  for (const m of received) bySender.set(m.from ?? '', [...(bySender.get(m.from ?? '') ?? []), Date.parse(m.receivedAt)]);
  let tooClose = 0;
  let gaps = 0;
  let smallest = Infinity;
  for (const list of bySender.values()) {
    list.sort((a, b) => a - b);
    for (let i = 1; i < list.length; i++, gaps++) {
      const gap = list[i]! - list[i - 1]!;
      smallest = Math.min(smallest, gap);
      if (gap < 1000 / scenario.rate - 50) tooClose++;
    }
  }
  // The limiter itself: when it let each call start, by the database's clock.
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ sender_key: string; started_at: Date }>(
    `SELECT sender_key, started_at FROM dispatcher.sends WHERE tenant_id = $1 AND started_at IS NOT NULL ORDER BY sender_key, started_at`,
    [tenantId],
  );
  await db.end();
  let startsTooClose = 0;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.sender_key === rows[i - 1]!.sender_key && rows[i]!.started_at.getTime() - rows[i - 1]!.started_at.getTime() < 1000 / scenario.rate - 1) startsTooClose++;
  }
  const ideal = ((scenario.perSender - 1) / scenario.rate) * 1000;
  return {
    scenario: scenario.name,
    messages: envelopes.length,
    received: received.length,
    produceMs: produced - started,
    firstToLastMs: last - first,
    idealMs: Math.round(ideal),
    throughputPerSecond: Math.round((received.length / Math.max(1, last - started)) * 1000),
    pacingEfficiency: ideal > 0 ? Number((ideal / Math.max(1, last - first)).toFixed(2)) : 0,
    startGapsBelowRate: `${startsTooClose} of ${rows.length - bySender.size}`,
    wireGapsBelowRateLess50ms: `${tooClose} of ${gaps}`,
    smallestWireGapMs: smallest,
    expectedGapMs: Math.round(1000 / scenario.rate),
  };
}

async function main(): Promise<void> {
  console.log(`dispatch benchmark: Kafka on ${brokers.join(',')}, ${instances} dispatcher instance(s) sharing the queue`);

  // Status callbacks land here and go on sms.status.v1 as intake would put them (unsigned
  // checks aside), so that the dispatcher sees which sends left Twilio's queue.
  const kafka = createKafkaClient({ brokers, clientId: 'bench-callbacks', log: quiet });
  const callbacks = kafka.producer({ allowAutoTopicCreation: false });
  await callbacks.connect();
  let pending: { key: string; value: Buffer }[] = [];
  const flusher = setInterval(() => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    void callbacks.send({ topic: TOPICS.status.name, acks: -1, messages: batch }).catch(() => undefined);
  }, 50);
  const sink: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      const query = new URL(req.url ?? '/', 'http://sink').searchParams;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const status = form.get('MessageStatus');
      const messageId = query.get('m');
      const tenantId = query.get('t');
      if (!messageId || !tenantId || !status || !['sent', 'delivered', 'undelivered', 'failed'].includes(status)) return;
      const event = { messageId, tenantId, status, source: 'twilio-callback', twilioSid: form.get('MessageSid') ?? undefined, at: new Date().toISOString() };
      pending.push({ key: messageId, value: encodeValue(event) });
    });
  });
  const sinkPort = await freePort();
  await new Promise<void>((r) => sink.listen(sinkPort, '127.0.0.1', r));
  const simPort = await freePort();
  const simUrl = `http://127.0.0.1:${simPort}`;
  const children: ChildProcess[] = [];
  try {
    const simulator = start('apps/dev/twilio-simulator/dist/main.js', {
      SIM_PORT: String(simPort),
      SIM_ACCOUNT_SID: stack.twilio.accountSid,
      SIM_AUTH_TOKEN: stack.twilio.authToken,
      SIM_CALLBACK_DELAY_MS: '1000',
    });
    children.push(simulator);
    await waitHealthy(simUrl, simulator);
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const child = start('apps/dispatcher/dist/main.js', {
        KAFKA_BROKERS: brokers.join(','),
        DATABASE_URL: stack.databaseUrl,
        PII_HASH_KEY: stack.piiHashKey,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        TWILIO_ACCOUNT_SID: stack.twilio.accountSid,
        TWILIO_AUTH_TOKEN: stack.twilio.authToken,
        TWILIO_API_BASE_URL: simUrl,
        STATUS_CALLBACK_BASE_URL: `http://127.0.0.1:${sinkPort}`,
        MAX_CONCURRENT_SENDS: '32',
        DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z',
      });
      children.push(child);
      await waitHealthy(`http://127.0.0.1:${port}`, child);
    }
    const results = [];
    for (const scenario of SCENARIOS) {
      const result = await run(scenario, simUrl);
      console.log(JSON.stringify(result));
      results.push(result);
    }
    console.table(results);
  } finally {
    await Promise.all(children.map(stopChild));
    clearInterval(flusher);
    await callbacks.disconnect();
    sink.close();
  }
}

await main();
