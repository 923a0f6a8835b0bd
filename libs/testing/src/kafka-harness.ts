import { createKafkaClient, decodeValue, withAdmin } from '@sms/kafka';
import type { TopicDefinition } from '@sms/contracts';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { z } from 'zod';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };

export function testKafka(brokers: string[]): Kafka {
  return createKafkaClient({ brokers, clientId: `test-${randomUUID().slice(0, 8)}`, log: quiet });
}

/**
 * Whether a consumer group has committed every record its topic holds so far: the service's
 * view of the topic includes them (its consumers commit only what they have handled).
 */
export async function groupCaughtUp(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  return withAdmin(kafka, async (admin) => {
    const [ends, groups] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committed = new Map((groups[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.every((e) => Number(e.high) <= Math.max(Number(e.low), committed.get(e.partition) ?? -1));
  });
}

/** Produces records exactly as given (bytes included), as a buggy or hostile producer would. */
export async function produceRaw(kafka: Kafka, topic: string, records: { key: string | null; value: string | Buffer | null; headers?: Record<string, string> }[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning into memory, decoded with its schema (records that do not
 * decode are kept raw), so that a test can wait for what it expects to appear.
 */
export class TopicTap<S extends z.ZodType> {
  readonly records: { key: string | null; value: z.infer<S> | null; raw: Buffer | null; headers: Record<string, string>; partition: number; offset: string }[] = [];
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: TopicDefinition<S>,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `tap-${randomUUID()}`, maxWaitTimeInMs: 50 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic.name, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const decoded = decodeValue(this.topic, message.value);
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.records.push({ key: message.key?.toString() ?? null, value: decoded.ok ? decoded.value : null, raw: message.value, headers, partition, offset: message.offset });
      },
    });
    return this;
  }

  find(predicate: (value: z.infer<S>) => boolean): z.infer<S> | undefined {
    return this.records.find((r) => r.value !== null && predicate(r.value))?.value ?? undefined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
