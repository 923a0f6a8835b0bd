// Throughput of the consent stage with its database on the hot path: N accepted messages
// (most with consent on record, some without, some for another brand) are put on
// sms.accepted.v1 at once; the consent service, a separate process as in production, reads
// its facts from PostgreSQL in batches and publishes its verdicts. Printed, never asserted.
//   npm run bench:consent            (BENCH_MESSAGES=20000 by default)
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TOPICS, type MessageEnvelope } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { encodeValue } from '@sms/kafka';
import { hashApiKey } from '@sms/tenancy';
import { aTenant, anEnvelope, freePort, publishTenant, testKafka, testStack, waitFor } from '@sms/testing';
import pg from 'pg';

const stack = testStack();
const total = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const recipients = Math.ceil(total / 4);
const tenantId = `bench-${randomUUID().slice(0, 8)}`;
const pseudonyms = new Pseudonymizer(stack.piiHashKey);
const number = (i: number) => `+1212${String(2_000_000 + i).padStart(7, '0')}`;

await publishTenant(aTenant({ tenantId, apiKeyHashes: [hashApiKey(randomUUID())], brands: [{ name: 'Acme Dental' }, { name: 'Acme Ortho' }] }));

// Consent for 90% of the recipients, written straight into the consent schema.
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
const consenting = Array.from({ length: Math.floor(recipients * 0.9) }, (_, i) => i);
for (let from = 0; from < consenting.length; from += 5_000) {
  const chunk = consenting.slice(from, from + 5_000);
  await db.query(
    `INSERT INTO consent.consent_records (id, tenant_id, brand, campaign, recipient, recipient_token, basis, source, captured_at, wording, wording_hash, wording_version, evidence, channel, recorded_at)
     SELECT gen_random_uuid(), $1, 'Acme Dental', 'offers', r, t, 'express', 'web_form', now() - interval '2 days', 'Yes, text me.', 'h', 'v1', '{"formId":"bench"}', 'api', now()
       FROM unnest($2::text[], $3::text[]) AS x(r, t)`,
    [tenantId, chunk.map(number), chunk.map((i) => pseudonyms.token(tenantId, number(i)))],
  );
}
await db.end();

const port = await freePort();
mkdirSync(stack.logDir, { recursive: true });
const service = spawn(process.execPath, ['--enable-source-maps', fileURLToPath(new URL('../../dist/main.js', import.meta.url))], {
  env: { ...process.env, KAFKA_BROKERS: stack.kafkaBrokers.join(','), DATABASE_URL: stack.databaseUrl, PII_HASH_KEY: stack.piiHashKey, HTTP_PORT: String(port), LOG_LEVEL: 'warn' },
  stdio: ['ignore', openSync(join(stack.logDir, 'consent-bench.log'), 'w'), 'inherit'],
});
// Never leave the service behind, whatever happens to the benchmark.
process.on('exit', () => service.kill('SIGKILL'));
await waitFor('the consent service', async () => ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok ? true : undefined), { timeoutMs: 60_000 });

const kafka = testKafka(stack.kafkaBrokers);
const sentAt = new Map<string, number>();
const latencies: number[] = [];
const counter = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 20 });
await counter.connect();
await counter.subscribe({ topics: [TOPICS.consented.name, TOPICS.stopped.name], fromBeginning: true });
let outcomes = 0;
let passed = 0;
await counter.run({
  eachBatch: async ({ batch }) => {
    const now = performance.now();
    for (const m of batch.messages) {
      const envelope = JSON.parse(m.value!.toString()) as MessageEnvelope;
      const at = sentAt.get(envelope.id);
      if (at === undefined) continue;
      outcomes++;
      if (batch.topic === TOPICS.consented.name) passed++;
      latencies.push(now - at);
    }
  },
});

const envelopes = Array.from({ length: total }, (_, i) => {
  const recipient = i % recipients;
  const otherBrand = i % 10 === 9;
  return anEnvelope({
    tenantId,
    message: {
      to: number(recipient),
      brand: otherBrand ? 'Acme Ortho' : 'Acme Dental',
      campaign: otherBrand ? 'offers-ortho' : 'offers',
      useCase: 'marketing',
      body: `Acme Dental: offer ${i}. Reply STOP to opt out.`,
    },
  });
});
const producer = kafka.producer();
await producer.connect();
const started = performance.now();
for (let from = 0; from < total; from += 1_000) {
  const chunk = envelopes.slice(from, from + 1_000);
  const now = performance.now();
  for (const e of chunk) sentAt.set(e.id, now);
  await producer.send({ topic: TOPICS.accepted.name, messages: chunk.map((e) => ({ key: pseudonyms.token(tenantId, e.message.to), value: encodeValue(e) })) });
}
const produced = performance.now();
await waitFor('every verdict', async () => (outcomes >= total ? true : undefined), { timeoutMs: 600_000, intervalMs: 50 }).catch((error: Error) => {
  throw new Error(`${error.message} (${outcomes} of ${total} verdicts arrived)`);
});
const finished = performance.now();

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
const seconds = (finished - started) / 1000;
console.log(
  JSON.stringify(
    {
      benchmark: 'consent stage, database on the hot path',
      messages: total,
      recipientsWithConsentRecords: consenting.length,
      passed,
      stopped: outcomes - passed,
      produceSeconds: Number(((produced - started) / 1000).toFixed(2)),
      totalSeconds: Number(seconds.toFixed(2)),
      throughputPerSecond: Math.round(total / seconds),
      latencyMs: { p50: Number(pct(50)), p95: Number(pct(95)), p99: Number(pct(99)) },
    },
    null,
    2,
  ),
);
await producer.disconnect();
await counter.disconnect();
service.kill('SIGTERM');
await new Promise((r) => service.once('exit', r));
