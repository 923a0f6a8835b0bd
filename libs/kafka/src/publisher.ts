import { TOPICS, type MessageEnvelope, type TopicKey, type TopicValue } from '@sms/contracts';
import { injectContext, type Context } from '@sms/tracing';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { encodeValue } from './codec.js';
import { NO_OBSERVER, type KafkaObserver } from './observer.js';

export interface OutgoingRecord {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** The verdict a stage appended, when the value is an envelope (counted once acknowledged). */
  verdict?: { stage: string; decision: string; clauses: readonly string[] };
}

export interface PublisherOptions {
  /** Most records sent in one produce request. */
  maxBatchRecords?: number;
  /**
   * Most bytes (keys, values, headers) in one produce request. The broker refuses a record
   * batch over its `message.max.bytes` (1 MiB by default) for good, and a batch of one
   * partition is at most the request, so requests stay under it.
   */
  maxBatchBytes?: number;
  observer?: KafkaObserver;
}

interface Pending {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Records already taken into a produce request, and of those, acknowledged. */
  taken: number;
  acknowledged: number;
  failed: boolean;
}

/** What a record weighs in a produce request, near enough (the record's own framing included). */
function weight(r: OutgoingRecord): number {
  // A tombstone (compacted topics) has no value.
  let size = ((r.value as Buffer | null)?.length ?? 0) + (r.key?.length ?? 0) + 64;
  for (const [name, value] of Object.entries(r.headers)) size += name.length + value.length + 8;
  return size;
}

/**
 * A Kafka producer that batches for you (kafkajs has no linger setting; one awaited send()
 * per message is ~10x slower than a batched one, kafkajs issue 772).
 *
 * One produce request is in flight at a time (the idempotent producer requires it); records
 * published while it is in flight wait for the next one. At low load a record goes out at
 * once; under load batches grow by themselves. `publish` resolves when the broker has
 * acknowledged the records (acks=all), so a consumer can commit its offsets after it.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly observer: KafkaObserver;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  private connected = false;

  constructor(kafka: Kafka, options: PublisherOptions = {}) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The idempotent producer keeps its guarantees only if it never gives up on a batch;
      // while the broker is away, publishing (and so committing) waits instead of failing.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    this.maxBatchRecords = options.maxBatchRecords ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 768 * 1024;
    this.observer = options.observer ?? NO_OBSERVER;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Typed publish to a catalogue topic, carrying the trace context of `ctx`. */
  publishTo<K extends TopicKey>(topic: K, key: string | null, value: TopicValue<K>, ctx?: Context): Promise<void> {
    return this.publishRaw([record(topic, key, value, ctx)]);
  }

  /** Publishes many records in as few produce requests as possible. */
  publishRaw(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (!this.connected) return Promise.reject(new Error('Kafka publisher is not connected'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject, taken: 0, acknowledged: 0, failed: false });
      this.pump();
    });
  }

  /** Waits until everything published so far is acknowledged. */
  async flush(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      this.pump();
      await this.inFlight?.catch(() => undefined);
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    await this.flush();
    await this.producer.disconnect();
    this.connected = false;
  }

  /** Takes records into one produce request, up to the record and byte limits; a large publish spans requests. */
  private pump(): void {
    if (this.inFlight) return;
    const chunk: { pending: Pending; records: OutgoingRecord[] }[] = [];
    let count = 0;
    let bytes = 0;
    fill: while (this.queue.length > 0) {
      const pending = this.queue[0]!;
      if (pending.failed) {
        this.queue.shift();
        continue;
      }
      const taken: OutgoingRecord[] = [];
      while (pending.taken < pending.records.length) {
        const r = pending.records[pending.taken]!;
        const size = weight(r);
        if (count > 0 && (count + 1 > this.maxBatchRecords || bytes + size > this.maxBatchBytes)) break;
        taken.push(r);
        pending.taken++;
        count++;
        bytes += size;
      }
      if (taken.length > 0) chunk.push({ pending, records: taken });
      if (pending.taken < pending.records.length) break fill;
      this.queue.shift();
    }
    if (chunk.length === 0) return;
    this.inFlight = this.send(chunk).finally(() => {
      this.inFlight = null;
      this.pump();
    });
  }

  private async send(chunk: { pending: Pending; records: OutgoingRecord[] }[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { records } of chunk) {
      for (const r of records) {
        const list = byTopic.get(r.topic) ?? [];
        list.push({ key: r.key, value: r.value, headers: r.headers });
        byTopic.set(r.topic, list);
      }
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
      for (const { pending, records } of chunk) {
        for (const r of records) if (r.verdict) this.observer.verdictPublished(r.verdict.stage, r.verdict.decision, r.verdict.clauses);
        pending.acknowledged += records.length;
        if (!pending.failed && pending.acknowledged === pending.records.length) pending.resolve();
      }
    } catch (error) {
      for (const { pending } of chunk) {
        if (pending.failed) continue;
        // The rest of its records are not sent: the caller retries the whole publish.
        pending.failed = true;
        pending.reject(error);
      }
    }
  }
}

/** Builds an outgoing record for a catalogue topic, with trace headers from `ctx`. */
export function record<K extends TopicKey>(topic: K, key: string | null, value: TopicValue<K>, ctx?: Context): OutgoingRecord {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ctx) injectContext(ctx, headers);
  const verdict = isEnvelope(value) ? value.verdicts.at(-1) : undefined;
  return { topic: TOPICS[topic].name, key, value: encodeValue(value), headers, ...(verdict ? { verdict: { stage: verdict.stage, decision: verdict.decision, clauses: verdict.clauses } } : {}) };
}

function isEnvelope(value: unknown): value is MessageEnvelope {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === 'sms.envelope';
}
