import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { messageIdFor, TOPICS, type SendRequestEvent } from '@sms/contracts';
import { encodeValue, withAdmin } from '@sms/kafka';
import { aRecipient, aTenant, anEnvelope, call, produceRaw, publishTenant, startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import { hashApiKey } from '@sms/tenancy';
import pg from 'pg';
import { IntakeModule } from '../app.module.js';
import { INTAKE_CONFIG } from '../config.js';
import { requestHash } from './message-intake.service.js';

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
  let other: RunningService;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  const accepted = new TopicTap(kafka, TOPICS.accepted);

  before(async () => {
    await publishTenant(aTenant({ tenantId, apiKeyHashes: [hashApiKey(apiKey)] }));
    await Promise.all([db.connect(), accepted.start()]);
    const anIntake = () =>
      startServiceInProcess({
        name: 'intake',
        spec: INTAKE_CONFIG,
        module: (c, l) => IntakeModule.forRoot(c, l),
        env: { TWILIO_AUTH_TOKEN: stack.twilio.authToken, RATE_LIMIT_PER_SECOND: '100000' },
      });
    [intake, other] = [await anIntake(), await anIntake()];
    for (const instance of [intake, other]) await waitFor('intake to know the tenant', async () => ((await call(`${instance.url}/health`)).status === 200 ? true : undefined));
  });

  after(async () => {
    await Promise.all([intake.stop(), other.stop()]);
    await Promise.all([db.end(), accepted.stop()]);
  });

  /** The ids of `to`'s messages as they stand on sms.accepted.v1, once all `count` are there. */
  const onTopic = (to: string, count: number) =>
    waitFor(`${count} messages to ${to} on the topic`, async () => {
      const mine = accepted.records.filter((r) => r.value?.tenantId === tenantId && r.value.message.to === to).map((r) => r.value!);
      return mine.length >= count ? mine : undefined;
    });

  /** Publishes send requests for `to` on sms.send-requests.v1, in order, keyed as upstream products key them. */
  const requestOverKafka = (to: string, events: SendRequestEvent[]) =>
    produceRaw(
      kafka,
      TOPICS.sendRequests.name,
      events.map((e) => ({ key: `${tenantId}:${to}`, value: encodeValue(e) })),
    );

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

  it('answers over HTTP once the message is on the topic, so that a message sent after the answer, to either instance, comes after it', async () => {
    // A balancer sends a client's requests to either instance. The first instance is busy with a
    // burst for other recipients, its publishes queued behind it; the second is idle. Each
    // recipient's first message goes to the first, the second, once answered, to the second.
    let sent = 0;
    const burst = Promise.all(
      Array.from({ length: 200 }, async () => {
        while (sent++ < 3_000) await call(`${intake.url}/v1/messages`, { apiKey, body: request(aRecipient(), sent) });
      }),
    );
    const recipients = Array.from({ length: 50 }, () => aRecipient());
    /** The topic's end offsets when each recipient's first message was answered. */
    const endsAtAnswer = new Map<string, Map<number, bigint>>();
    await withAdmin(kafka, (admin) =>
      Promise.all(
        recipients.map(async (to) => {
          const first = await call(`${intake.url}/v1/messages`, { apiKey, body: request(to, 0) });
          endsAtAnswer.set(to, new Map((await admin.fetchTopicOffsets(TOPICS.accepted.name)).map((p) => [p.partition, BigInt(p.high)])));
          const second = await call(`${other.url}/v1/messages`, { apiKey, body: request(to, 1) });
          assert.deepEqual([first.status, second.status], [202, 202]);
        }),
      ),
    );
    await burst;
    const late: string[] = [];
    const outOfOrder: string[] = [];
    for (const to of recipients) {
      await onTopic(to, 2);
      const mine = accepted.records.filter((r) => r.value?.tenantId === tenantId && r.value.message.to === to);
      if (mine.map((r) => numberOf(r.value!.message.body)).join() !== '0,1') outOfOrder.push(to);
      const first = mine.find((r) => numberOf(r.value!.message.body) === 0)!;
      if (BigInt(first.offset) >= endsAtAnswer.get(to)!.get(first.partition)!) late.push(to);
    }
    assert.deepEqual(late, [], 'each first message was on the topic when it was answered');
    assert.deepEqual(outOfOrder, [], "each recipient's messages in the order they were sent");
  });

  it('publishes a message stored by an instance that died before publishing it, when its request comes again, before the next one', async () => {
    const to = aRecipient();
    const events: SendRequestEvent[] = [0, 1].map((n) => ({ ...request(to, n), tenantId, idempotencyKey: `crash-${to}-${n}` }));
    // The first was stored by an instance that died before the broker acknowledged it; its lease
    // has not lapsed, so the relay leaves it alone. Its send request comes again (not committed).
    const died = randomUUID();
    await db.query(`INSERT INTO intake.outbox_instances (id, alive_until) VALUES ($1, now() + interval '1 hour')`, [died]);
    const stored = anEnvelope({
      id: messageIdFor(tenantId, events[0]!.idempotencyKey),
      tenantId,
      idempotencyKey: events[0]!.idempotencyKey,
      channel: 'kafka',
      message: { to, body: request(to, 0).body },
    });
    const { tenantId: _, idempotencyKey: __, ...first } = TOPICS.sendRequests.schema.parse(events[0]);
    await db.query(`INSERT INTO intake.accepted_messages (id, tenant_id, idempotency_key, request_hash, envelope, accepted_at, claimed_by) VALUES ($1, $2, $3, $4, $5, now(), $6)`, [
      stored.id,
      tenantId,
      events[0]!.idempotencyKey,
      requestHash(first),
      JSON.stringify(stored),
      died,
    ]);
    await requestOverKafka(to, events);
    const published = await onTopic(to, 2);
    assert.deepEqual(
      published.map((e) => e.id),
      [stored.id, messageIdFor(tenantId, events[1]!.idempotencyKey)],
      'the stored message, as it was stored, then the next',
    );
    const row = await db.query<{ published: boolean }>(`SELECT published_at IS NOT NULL AS published FROM intake.accepted_messages WHERE id = $1`, [stored.id]);
    assert.equal(row.rows[0]!.published, true, 'marked published, so the relay will not publish it again');
  });

  it('from sms.send-requests.v1, in the order of the records', async () => {
    const to = aRecipient();
    // More than one outbox insert takes (500): the inserts of one fetch run side by side.
    const events: SendRequestEvent[] = Array.from({ length: 1_200 }, (_, n) => ({ ...request(to, n), tenantId, idempotencyKey: `order-${to}-${n}` }));
    await requestOverKafka(to, events);
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
