import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, type DeadLetterEvent, type TopicDefinition } from '@sms/contracts';
import { z } from 'zod';
import { ensureTopics, withAdmin } from './admin.js';
import { encodeValue } from './codec.js';
import { CompactedTopicView } from './compacted-view.js';
import { createKafkaClient } from './kafka-client.js';
import { KafkaPublisher } from './publisher.js';
import { kafkaRequestQueue, type KafkaRequestQueue } from './request-queue-fix.js';
import { TopicConsumer, type ConsumedRecord, type PoisonHandling } from './topic-consumer.js';

// This library sits below @sms/testing, so its test reads the test stack file itself.
const stack = JSON.parse(readFileSync(process.env['TEST_STACK_FILE'] ?? '', 'utf8')) as { kafkaBrokers: string[] };
// Quiet, but what the consumers warn about is kept, for the tests to read.
const warned: { message: string; context: Record<string, unknown> }[] = [];
const quiet = { error: () => undefined, warn: (message: string, context: Record<string, unknown>) => void warned.push({ message, context }), info: () => undefined };
const kafka = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'kafka-lib-test', log: quiet });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const ItemSchema = z.strictObject({ n: z.number().int(), label: z.string() });
type Item = z.infer<typeof ItemSchema>;

function aTopic(cleanupPolicy: 'delete' | 'compact' = 'delete'): TopicDefinition<typeof ItemSchema> {
  return {
    name: `test.${randomUUID()}.v1`,
    partitions: 3,
    cleanupPolicy,
    key: 'n',
    producers: ['test'],
    consumers: ['test'],
    schema: ItemSchema,
    description: 'integration test topic',
  };
}

const raw = (topic: string, n: number | string, value: unknown) => ({ topic, key: String(n), value: typeof value === 'string' ? Buffer.from(value) : encodeValue(value), headers: {} });

describe('Kafka publisher and batch consumer (real broker)', () => {
  const publisher = new KafkaPublisher(kafka);
  const consumers: { stop(): Promise<void> }[] = [];
  const deadLetters: DeadLetterEvent[] = [];

  before(async () => {
    await publisher.connect();
    const tap = new TopicConsumer({
      kafka,
      topic: TOPICS.deadLetter,
      groupId: `test-dead-letters-${randomUUID()}`,
      publisher,
      log: quiet,
      spanName: 'test',
      handler: async (records) => {
        deadLetters.push(...records.map((r) => r.value));
      },
    });
    consumers.push(tap);
    await tap.start();
  });
  after(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await publisher.disconnect();
  });

  type ItemHandler = (records: ConsumedRecord<Item>[]) => Promise<{ deadLetters?: { record: ConsumedRecord<unknown>; error: Error }[] } | void>;

  /** A consumer of test items, not started (its own group unless one is given). */
  const consumerOf = (topic: TopicDefinition<typeof ItemSchema>, handler: ItemHandler, options: { groupId?: string; commitIntervalMs?: number; poison?: PoisonHandling } = {}) =>
    new TopicConsumer({
      kafka,
      topic,
      groupId: options.groupId ?? `test-${randomUUID()}`,
      publisher,
      log: quiet,
      spanName: 'test',
      handler,
      commitIntervalMs: options.commitIntervalMs,
      poison: options.poison,
    });

  /** A fresh topic and consumer group whose members note every item they handle and commit only when they stop or their group rebalances. */
  async function recordingGroup() {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const groupId = `test-${randomUUID()}`;
    const member = (seen: number[]) =>
      consumerOf(
        topic,
        async (records) => {
          seen.push(...records.map((r) => r.value.n));
        },
        { groupId, commitIntervalMs: 600_000 },
      );
    return { topic, groupId, member };
  }

  /** Starts a consumer of `topic` that collects every item it handles, in order, into the array returned. */
  async function consumeInto(topic: TopicDefinition<typeof ItemSchema>): Promise<Item[]> {
    const seen: Item[] = [];
    await consume(topic, async (records) => {
      seen.push(...records.map((r) => r.value));
    });
    return seen;
  }

  async function consume(topic: TopicDefinition<typeof ItemSchema>, handler: ItemHandler) {
    const consumer = consumerOf(topic, handler);
    consumers.push(consumer);
    await consumer.start();
  }

  it('leaves idle connections alone: a request queue is checked as requests come and go, not every millisecond', async () => {
    const { prototype } = kafkaRequestQueue();
    const check = prototype.checkPendingRequests;
    let checks = 0;
    prototype.checkPendingRequests = function (this: KafkaRequestQueue) {
      checks++;
      check.call(this);
    };
    const idle = new KafkaPublisher(kafka);
    try {
      await idle.connect();
      await sleep(200);
      checks = 0;
      await sleep(1_000);
      // Each fetch answered for the dead-letter tap checks its queue once: a few a second.
      // kafkajs's own timer made it about a thousand a second for every open connection.
      assert.ok(checks < 200, `${checks} request-queue checks in one idle second`);
    } finally {
      prototype.checkPendingRequests = check;
      await idle.disconnect();
    }
  });

  it('delivers every record published in batches, in order per key', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const seen: Item[] = [];
    let batches = 0;
    await consume(topic, async (records) => {
      batches++;
      seen.push(...records.map((r) => r.value));
    });
    await Promise.all(Array.from({ length: 2000 }, (_, n) => publisher.publishRaw([raw(topic.name, n % 10, { n, label: `item ${n}` })])));
    await waitFor('all 2000 records', async () => (seen.length >= 2000 ? true : undefined));
    assert.equal(seen.length, 2000);
    assert.equal(new Set(seen.map((i) => i.n)).size, 2000);
    assert.ok(batches < 2000, `records arrived in batches (${batches} batches)`);
    for (let key = 0; key < 10; key++) {
      const order = seen.filter((i) => i.n % 10 === key).map((i) => i.n);
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        `key ${key} kept its order`,
      );
    }
  });

  it('splits one large publish into produce requests the broker accepts (its 1 MiB batch limit), keeping order per key', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const seen = await consumeInto(topic);
    // 3,000 records of 3 KB on one key: 9 MB for one partition, in one publishRaw call.
    const padding = 'x'.repeat(3_000);
    await publisher.publishRaw(Array.from({ length: 3_000 }, (_, n) => raw(topic.name, 'one-key', { n, label: `${n} ${padding}` })));
    await waitFor('all 3000 records', async () => (seen.length >= 3_000 ? true : undefined));
    assert.deepEqual(
      seen.map((i) => i.n),
      Array.from({ length: 3_000 }, (_, n) => n),
    );
  });

  it('dead-letters invalid records with the error and the original bytes, and hands the rest on', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const seen = await consumeInto(topic);
    const marker = randomUUID();
    await publisher.publishRaw([raw(topic.name, 1, `{broken ${marker}`), raw(topic.name, 1, { n: 'one', label: marker }), raw(topic.name, 1, { n: 2, label: marker })]);
    await waitFor('the valid record', async () => (seen.some((i) => i.label === marker) ? true : undefined));
    const fromTopic = () => deadLetters.filter((d) => d.sourceTopic === topic.name);
    const letters = await waitFor('two dead letters', async () => (fromTopic().length === 2 ? fromTopic() : undefined));
    const broken = letters.find((l) => l.error.kind === 'invalid_json')!;
    assert.equal(Buffer.from(broken.valueBase64!, 'base64').toString(), `{broken ${marker}`);
    const wrongType = letters.find((l) => l.error.kind === 'schema_violation')!;
    assert.deepEqual(
      wrongType.error.issues.map((i) => i.path),
      ['n'],
    );
    assert.deepEqual(
      seen.filter((i) => i.label === marker).map((i) => i.n),
      [2],
    );
    const logged = warned.filter((w) => w.message === 'record sent to the dead-letter topic' && w.context['topic'] === topic.name);
    assert.deepEqual(logged.map((w) => w.context['kind']).sort(), ['invalid_json', 'schema_violation'], 'each dead letter logged once, with why');
  });

  it('joins the batches of every partition one fetch brings into one handler call, and dead-letters each record from its own partition', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    // Everything is on the broker before the consumer starts: its first fetch brings all three partitions.
    await publisher.publishRaw(Array.from({ length: 30 }, (_, n) => raw(topic.name, `key-${n}`, { n, label: 'joined' })));
    const calls: ConsumedRecord<Item>[][] = [];
    await consume(topic, async (records) => {
      calls.push(records);
      // The first record of each partition is refused.
      const firsts = records.filter((r, i) => records.findIndex((o) => o.partition === r.partition) === i);
      return { deadLetters: firsts.map((record) => ({ record, error: new Error(`refused ${record.partition}/${record.offset}`) })) };
    });
    await waitFor('all thirty', async () => (calls.flat().length >= 30 ? true : undefined));
    assert.equal(new Set(calls.flat().map((r) => r.partition)).size, 3, 'the keys cover the three partitions');
    assert.equal(calls.length, 1, `one handler call for the whole fetch, not one per partition (calls of ${calls.map((c) => c.length).join(', ')} records)`);
    const letters = await waitFor('three dead letters', async () => {
      const mine = deadLetters.filter((d) => d.sourceTopic === topic.name);
      return mine.length >= 3 ? mine : undefined;
    });
    assert.deepEqual(
      letters.map((d) => `${d.partition}/${d.offset}: ${d.error.message}`).sort(),
      [0, 1, 2].map((p) => `${p}/0: refused ${p}/0`),
    );
    const logged = warned.filter((w) => w.message === 'record sent to the dead-letter topic' && w.context['topic'] === topic.name);
    assert.deepEqual(
      logged.map((w) => `${String(w.context['partition'])}: ${String(w.context['error'])}`).sort(),
      [0, 1, 2].map((p) => `${p}: refused ${p}/0`),
      "the handler's dead letters are logged too",
    );
  });

  it('retries a batch whose handler throws, losing nothing', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    let failures = 2;
    const seen: number[] = [];
    await consume(topic, async (records) => {
      if (failures > 0) {
        failures--;
        throw new Error('database away');
      }
      seen.push(...records.map((r) => r.value.n));
    });
    await publisher.publishRaw([1, 2, 3].map((n) => raw(topic.name, 'same', { n, label: 'retry' })));
    await waitFor('all three after the retries', async () => (seen.length >= 3 ? true : undefined));
    assert.deepEqual(seen.sort(), [1, 2, 3]);
    assert.equal(failures, 0);
  });

  it('retries a failing call partition by partition: the partitions whose records are fine are handled and committed meanwhile, and fetched again', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const groupId = `test-${randomUUID()}`;
    // Everything is on the broker before the consumer starts: the first fetch joins all three partitions.
    await publisher.publishRaw(Array.from({ length: 30 }, (_, n) => raw(topic.name, `key-${n}`, { n, label: n === 0 ? 'fails' : 'fine' })));
    let failing = true;
    const partitionOf = new Map<number, number>();
    const handled: number[] = [];
    const consumer = consumerOf(
      topic,
      async (records) => {
        for (const r of records) partitionOf.set(r.value.n, r.partition);
        if (failing && records.some((r) => r.value.label === 'fails')) throw new Error('the database refuses record 0');
        handled.push(...records.map((r) => r.value.n));
      },
      { groupId, commitIntervalMs: 100 },
    );
    consumers.push(consumer);
    await consumer.start();
    await withAdmin(kafka, async (admin) => {
      await waitFor('a first call', async () => (partitionOf.size === 30 ? true : undefined));
      const stuck = partitionOf.get(0)!;
      const elsewhere = [...partitionOf].filter(([, p]) => p !== stuck).map(([n]) => n);
      assert.ok(elsewhere.length > 0, 'the keys cover more than one partition');
      await waitFor('the records of the other partitions to be handled while record 0 still fails', async () => (elsewhere.every((n) => handled.includes(n)) ? true : undefined));
      const committed = await waitFor('the other partitions to be committed', async () => {
        const offsets = (await admin.fetchOffsets({ groupId, topics: [topic.name] }))[0]!.partitions;
        return offsets.filter((p) => p.partition !== stuck).every((p) => Number(p.offset) > 0) ? offsets : undefined;
      });
      assert.equal(committed.find((p) => p.partition === stuck)!.offset, '-1', 'the failing partition is not committed');
      // kafkajs fetches again from a broker only once every batch of its last fetch is done: a
      // batch retried in place held every partition of the broker, records published later too.
      await publisher.publishRaw(Array.from({ length: 20 }, (_, i) => raw(topic.name, `later-${i}`, { n: 30 + i, label: 'fine' })));
      await waitFor('records published later to the other partitions, while record 0 still fails', async () => (handled.some((n) => n >= 30 && partitionOf.get(n) !== stuck) ? true : undefined));
      assert.equal(handled.includes(0), false);
      failing = false;
      await waitFor('record 0 and its partition, once it succeeds', async () => (handled.length >= 50 ? true : undefined));
      assert.deepEqual(
        [...handled].sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, n) => n),
        'each handled once',
      );
    });
  });

  /** Publishes a fine record under a fresh key every 100 ms, as traffic on the other partitions would, until stopped. */
  function traffic(topic: TopicDefinition<typeof ItemSchema>): () => void {
    let n = 1_000;
    const timer = setInterval(() => void publisher.publishRaw([raw(topic.name, `other-${n}`, { n: n++, label: 'fine' })]).catch(() => undefined), 100);
    return () => clearInterval(timer);
  }

  it('narrows a batch that keeps failing down to the record that fails it, dead-letters that record once other records are handled, and hands on the rest of its partition in order', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const groupId = `test-${randomUUID()}`;
    // One key, so one partition: record 4 fails every time it is in a call, a bug meeting data it never saw.
    await publisher.publishRaw(Array.from({ length: 10 }, (_, n) => raw(topic.name, 'one-person', { n, label: n === 4 ? 'poison' : 'fine' })));
    const handled: ConsumedRecord<Item>[] = [];
    const consumer = consumerOf(
      topic,
      async (records) => {
        if (records.some((r) => r.value.label === 'poison')) throw new Error('cannot read field "x" of undefined');
        handled.push(...records);
      },
      { groupId, commitIntervalMs: 100, poison: { splitAfterAttempts: 2, deadLetterAfterMs: 300 } },
    );
    consumers.push(consumer);
    const stopTraffic = traffic(topic);
    try {
      await consumer.start();
      const letter = await waitFor('the failing record on the dead-letter topic', async () => deadLetters.find((d) => d.sourceTopic === topic.name));
      const own = () => handled.filter((r) => r.key === 'one-person').map((r) => r.value.n);
      await waitFor('the rest of its partition', async () => (own().length >= 9 ? true : undefined));
      assert.deepEqual(own(), [0, 1, 2, 3, 5, 6, 7, 8, 9], 'each other record once, in order');
      assert.equal(letter.error.kind, 'processing_error');
      assert.equal(letter.error.message, 'cannot read field "x" of undefined');
      assert.equal(JSON.parse(Buffer.from(letter.valueBase64!, 'base64').toString('utf8')).n, 4, 'the record itself, as it was published');
      assert.equal(deadLetters.filter((d) => d.sourceTopic === topic.name).length, 1, 'only the failing record');
      const partition = handled.find((r) => r.key === 'one-person')!.partition;
      await withAdmin(kafka, (admin) =>
        waitFor('its partition committed past it', async () => {
          const offsets = (await admin.fetchOffsets({ groupId, topics: [topic.name] }))[0]!.partitions;
          return Number(offsets.find((p) => p.partition === partition)!.offset) >= 10 ? true : undefined;
        }),
      );
    } finally {
      stopTraffic();
    }
  });

  it('dead-letters an invalid record behind a failing one once, when the records before it are handled, however often its batch is fetched again', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    await publisher.publishRaw([raw(topic.name, 'one-person', { n: 0, label: 'fails for a while' }), raw(topic.name, 'one-person', 'not json')]);
    let calls = 0;
    let handled = false;
    await consume(topic, async () => {
      if (++calls < 4) throw new Error('database away');
      handled = true;
    });
    await waitFor('the first record handled after three failures', async () => (handled ? true : undefined));
    await waitFor('the invalid record dead-lettered', async () => (deadLetters.some((d) => d.sourceTopic === topic.name) ? true : undefined));
    await sleep(500);
    const letters = deadLetters.filter((d) => d.sourceTopic === topic.name);
    assert.deepEqual(
      letters.map((d) => [d.error.kind, d.offset]),
      [['invalid_json', '1']],
      'once, though its batch was fetched four times',
    );
  });

  it('dead-letters nothing while every call fails (an outage), however long it lasts, and loses nothing', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    await publisher.publishRaw(Array.from({ length: 10 }, (_, n) => raw(topic.name, 'one-person', { n, label: 'fine' })));
    let down = true;
    const attempts: number[] = [];
    const handled: number[] = [];
    const consumer = consumerOf(
      topic,
      async (records) => {
        attempts.push(records.length);
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        handled.push(...records.map((r) => r.value.n));
      },
      { poison: { splitAfterAttempts: 2, deadLetterAfterMs: 300 } },
    );
    consumers.push(consumer);
    const stopTraffic = traffic(topic);
    try {
      await consumer.start();
      await waitFor('the batch narrowed down to one record', async () => (attempts.includes(1) ? true : undefined));
      await sleep(1_500);
      down = false;
      await waitFor('every record once the outage ends', async () => (handled.filter((n) => n < 10).length >= 10 ? true : undefined));
      assert.deepEqual(
        handled.filter((n) => n < 10),
        Array.from({ length: 10 }, (_, n) => n),
        'in order, each once',
      );
      assert.equal(deadLetters.filter((d) => d.sourceTopic === topic.name).length, 0);
    } finally {
      stopTraffic();
    }
  });

  it('commits what it handled on its interval while it runs, idle or not, and not before the handler returns', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    const groupId = `test-${randomUUID()}`;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let handled = 0;
    const consumer = consumerOf(
      topic,
      async (records) => {
        await held;
        handled += records.length;
      },
      { groupId, commitIntervalMs: 100 },
    );
    consumers.push(consumer);
    await consumer.start();
    await publisher.publishRaw([1, 2, 3].map((n) => raw(topic.name, 'one-key', { n, label: 'interval' })));
    await withAdmin(kafka, async (admin) => {
      const committed = async () => (await admin.fetchOffsets({ groupId, topics: [topic.name] }))[0]!.partitions.filter((p) => p.offset !== '-1');
      await sleep(1_000); // ten intervals with the batch still in the handler
      assert.deepEqual(await committed(), [], 'nothing is committed while the handler runs');
      release();
      const partitions = await waitFor('the handled offsets to be committed', async () => ((await committed()).length > 0 ? committed() : undefined));
      assert.equal(handled, 3);
      assert.deepEqual(
        partitions.map((p) => p.offset),
        ['3'],
      );
    });
  });

  it('commits what it handled when it stops cleanly, so the next member of its group starts after it', async () => {
    // Nothing is committed on the interval (far longer than the test), only at the stop.
    const { topic, member } = await recordingGroup();
    const first: number[] = [];
    const a = member(first);
    await a.start();
    await publisher.publishRaw([1, 2, 3].map((n) => raw(topic.name, 'one-key', { n, label: 'before the stop' })));
    await waitFor('the first member to handle three', async () => (first.length >= 3 ? true : undefined));
    await a.stop();

    const second: number[] = [];
    const b = member(second);
    consumers.push(b);
    await b.start();
    await publisher.publishRaw([raw(topic.name, 'one-key', { n: 4, label: 'after the stop' })]);
    await waitFor('the second member to handle the new record', async () => (second.includes(4) ? true : undefined));
    assert.deepEqual(first, [1, 2, 3]);
    assert.deepEqual(second, [4], 'nothing the first member handled was delivered again');
  });

  it('commits what it handled before its group rebalances, so the member that takes a partition over starts after it', async () => {
    // Nothing is committed on the interval (far longer than the test), only at the rebalance.
    const { topic, groupId, member } = await recordingGroup();
    const first: number[] = [];
    const a = member(first);
    consumers.push(a);
    await a.start();
    await publisher.publishRaw(Array.from({ length: 30 }, (_, n) => raw(topic.name, `key-${n}`, { n, label: 'before the rebalance' })));
    await waitFor('the first member to handle thirty', async () => (first.length >= 30 ? true : undefined));

    // A second member joins: the group rebalances and hands it some of the first one's partitions.
    const second: number[] = [];
    const b = member(second);
    consumers.push(b);
    await b.start();
    await withAdmin(kafka, async (admin) => {
      await waitFor('both members to hold partitions', async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group?.state === 'Stable' && group.members.length === 2 ? true : undefined;
      });
    });
    await publisher.publishRaw(Array.from({ length: 30 }, (_, n) => raw(topic.name, `key-${n}`, { n: 100 + n, label: 'after the rebalance' })));
    await waitFor('the sixty records to be handled', async () => (new Set([...first, ...second]).size >= 60 ? true : undefined));
    assert.ok(second.length > 0, 'the second member took partitions over');
    assert.deepEqual(
      second.filter((n) => n < 100),
      [],
      'nothing the first member handled was delivered again to the second',
    );
    assert.equal(first.length + second.length, 60, 'each record handled once');
  });

  it('dead-letters the records a handler gives up on, as processing errors', async () => {
    const topic = aTopic();
    await ensureTopics(kafka, [topic]);
    await consume(topic, async (records) => ({ deadLetters: records.filter((r) => r.value.n < 0).map((record) => ({ record, error: new Error(`n must be positive, got ${record.value.n}`) })) }));
    await publisher.publishRaw([raw(topic.name, 1, { n: -5, label: 'negative' })]);
    const letter = await waitFor('the processing dead letter', async () => deadLetters.find((d) => d.sourceTopic === topic.name));
    assert.equal(letter.error.kind, 'processing_error');
    assert.equal(letter.error.message, 'n must be positive, got -5');
  });

  it('keeps a compacted view that catches up with the topic before it is ready, then follows it', async () => {
    const topic = aTopic('compact');
    await ensureTopics(kafka, [topic]);
    await publisher.publishRaw([raw(topic.name, 'a', { n: 1, label: 'a1' }), raw(topic.name, 'b', { n: 1, label: 'b1' }), raw(topic.name, 'a', { n: 2, label: 'a2' })]);
    const view = new CompactedTopicView(kafka, topic, 'test', quiet);
    await view.start();
    assert.equal(view.get('a')?.label, 'a2');
    assert.equal(view.get('b')?.label, 'b1');
    await publisher.publishRaw([{ topic: topic.name, key: 'b', value: null as unknown as Buffer, headers: {} }]);
    await waitFor('the tombstone', async () => (view.get('b') === undefined ? true : undefined));
    await view.stop();
  });
});
