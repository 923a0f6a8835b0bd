import type { TopicDefinition } from '@sms/contracts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, Kafka } from 'kafkajs';
import type { z } from 'zod';
import { decodeValue } from './codec.js';
import type { KafkaLogSink } from './kafka-client.js';

/**
 * An in-memory copy of a small compacted topic (tenants, settings), read from the beginning
 * by every instance. Each instance uses its own consumer group and never commits, so every
 * instance sees every key. Use it only for topics whose size is bounded by configuration,
 * not by traffic.
 */
export class CompactedTopicView<S extends z.ZodType> {
  private readonly entries = new Map<string, z.infer<S>>();
  private consumer: Consumer | null = null;
  private readyPromise: Promise<void> | null = null;
  private readonly listeners: ((key: string, value: z.infer<S> | null) => void)[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: TopicDefinition<S>,
    private readonly groupPrefix: string,
    private readonly log: KafkaLogSink,
  ) {}

  onChange(listener: (key: string, value: z.infer<S> | null) => void): void {
    this.listeners.push(listener);
  }

  get(key: string): z.infer<S> | undefined {
    return this.entries.get(key);
  }

  values(): IterableIterator<z.infer<S>> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Starts reading; resolves once everything that was on the topic at start has been read. */
  start(): Promise<void> {
    this.readyPromise ??= this.run();
    return this.readyPromise;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async run(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const endOffsets = await admin.fetchTopicOffsets(this.topic.name);
    await admin.disconnect();
    const remaining = new Map<number, bigint>();
    for (const p of endOffsets) {
      const high = BigInt(p.high);
      const low = BigInt(p.low);
      if (high > low) remaining.set(p.partition, high);
    }

    let markReady: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => (markReady = resolve));
    if (remaining.size === 0) markReady();

    this.consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}.view.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`,
      // As the stage consumers: the broker answers as soon as a change arrives, so this only
      // bounds how often an idle view asks (every service holds two or three views).
      maxWaitTimeInMs: 500,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic.name, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (const message of batch.messages) {
          const key = message.key?.toString('utf8');
          if (key === undefined) continue;
          if (message.value === null) {
            this.entries.delete(key);
            for (const l of this.listeners) l(key, null);
          } else {
            const decoded = decodeValue(this.topic, message.value);
            if (decoded.ok) {
              this.entries.set(key, decoded.value);
              for (const l of this.listeners) l(key, decoded.value);
            } else {
              this.log.warn('ignoring an invalid record on a compacted topic', {
                topic: this.topic.name,
                partition: batch.partition,
                offset: message.offset,
                error: decoded.message,
              });
            }
          }
          payload.resolveOffset(message.offset);
          const target = remaining.get(batch.partition);
          if (target !== undefined && BigInt(message.offset) + 1n >= target) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) markReady();
          }
        }
      },
    });
    await caughtUp;
  }
}
