import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type SendRequestEvent } from '@sms/contracts';
import { encodeValue } from '@sms/kafka';
import { aRecipient, aTenant, call, produceRaw, publishTenant, startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import { hashApiKey } from '@sms/tenancy';
import pg from 'pg';
import { IntakeModule } from '../app.module.js';
import { INTAKE_CONFIG } from '../config.js';

const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
const tenantId = `order-${randomUUID().slice(0, 8)}`;
const apiKey = `sk_${randomUUID()}`;
const request = (to: string, n: number) => ({
  to,
  from: '+14155550101',
  brand: 'Acme Dental',
  campaign: 'reminders',
  useCase: 'informational' as const,
  body: `Acme Dental: reminder ${n}. Reply STOP to opt out.`,
});
const numberOf = (body: string) => Number(/reminder (\d+)\./.exec(body)?.[1]);

describe("intake publishes one recipient's messages in the order it accepted them (real Kafka and Postgres)", () => {
  let intake: RunningService;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  const accepted = new TopicTap(kafka, TOPICS.accepted);

  before(async () => {
    await publishTenant(aTenant({ tenantId, apiKeyHashes: [hashApiKey(apiKey)] }));
    await Promise.all([db.connect(), accepted.start()]);
    intake = await startServiceInProcess({
      name: 'intake',
      spec: INTAKE_CONFIG,
      module: (c, l) => IntakeModule.forRoot(c, l),
      env: { TWILIO_AUTH_TOKEN: stack.twilio.authToken, RATE_LIMIT_PER_SECOND: '100000' },
    });
    await waitFor('intake to know the tenant', async () => ((await call(`${intake.url}/health`)).status === 200 ? true : undefined));
  });

  after(async () => {
    await intake.stop();
    await Promise.all([db.end(), accepted.stop()]);
  });

  /** The ids of `to`'s messages as they stand on sms.accepted.v1, once all `count` are there. */
  const onTopic = (to: string, count: number) =>
    waitFor(`${count} messages to ${to} on the topic`, async () => {
      const mine = accepted.records.filter((r) => r.value?.tenantId === tenantId && r.value.message.to === to).map((r) => r.value!);
      return mine.length >= count ? mine : undefined;
    });

  /** The ids of `to`'s messages in the order intake accepted them (its outbox's acceptance times). */
  const acceptanceOrder = async (to: string) =>
    (await db.query<{ id: string }>(`SELECT id FROM intake.accepted_messages WHERE tenant_id = $1 AND envelope->'message'->>'to' = $2 ORDER BY accepted_at`, [tenantId, to])).rows.map((r) => r.id);

  it('over HTTP, for many requests at once', async () => {
    const to = aRecipient();
    const answers = await Promise.all(Array.from({ length: 400 }, (_, n) => call<{ id: string }>(`${intake.url}/v1/messages`, { apiKey, body: request(to, n) })));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [202]);
    const published = await onTopic(to, 400);
    const order = await acceptanceOrder(to);
    assert.equal(order.length, 400);
    assert.deepEqual(
      published.map((e) => e.id),
      order,
      "the topic holds the recipient's messages in acceptance order",
    );
    assert.equal(new Set(published.map((e) => e.id)).size, 400, 'each published once');
  });

  it('from sms.send-requests.v1, in the order of the records', async () => {
    const to = aRecipient();
    // More than one outbox insert takes (500): the inserts of one fetch run side by side.
    const events: SendRequestEvent[] = Array.from({ length: 1_200 }, (_, n) => ({ ...request(to, n), tenantId, idempotencyKey: `order-${to}-${n}` }));
    await produceRaw(
      kafka,
      TOPICS.sendRequests.name,
      events.map((e) => ({ key: `${tenantId}:${to}`, value: encodeValue(e) })),
    );
    const published = await onTopic(to, 1_200);
    assert.deepEqual(
      published.map((e) => numberOf(e.message.body)),
      events.map((_, n) => n),
      'the topic holds them in the order they were requested',
    );
    assert.deepEqual(
      published.map((e) => e.id),
      await acceptanceOrder(to),
      'and in the order the outbox says they were accepted',
    );
  });
});
