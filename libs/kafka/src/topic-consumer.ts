import { TOPICS, type TopicDefinition } from '@sms/contracts';
import { extractContext, SpanKind, SpanStatusCode, trace, tracer, type Context, type Span } from '@sms/tracing';
import { backoffDelay, Batcher, Periodic, sleep } from '@sms/util';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, OffsetsByTopicPartition } from 'kafkajs';
import type { z } from 'zod';
import { decodeValue, encodeValue } from './codec.js';
import type { KafkaLogSink } from './kafka-client.js';
import { beforeRejoin } from './rejoin-hook.js';
import { NO_OBSERVER, type KafkaObserver } from './observer.js';
import type { KafkaPublisher, OutgoingRecord } from './publisher.js';

export interface ConsumedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  headers: Record<string, string>;
  timestamp: string;
  /** The trace context of this record's processing span: pass it on when publishing. */
  context: Context;
}

export interface DeadLetter {
  record: ConsumedRecord<unknown>;
  error: Error;
}

export interface BatchOutcome {
  /** Records the handler could not process for a reason retrying will not fix. */
  deadLetters?: DeadLetter[];
}

export type BatchHandler<T> = (records: ConsumedRecord<T>[]) => Promise<BatchOutcome | void>;

export interface TopicConsumerOptions<S extends z.ZodType> {
  kafka: Kafka;
  topic: TopicDefinition<S>;
  groupId: string;
  handler: BatchHandler<z.infer<S>>;
  /** Where dead letters go (the producer shared with the service). */
  publisher: KafkaPublisher;
  log: KafkaLogSink;
  /** Name of the span each record is processed under, e.g. "consent decide". */
  spanName: string;
  /** Span attributes for a record (never phone numbers or bodies in clear). */
  describe?: (value: z.infer<S>) => Record<string, string | number | boolean>;
  /** Partition batches of one fetch taken at once (default: the topic's partitions); those taken together share handler calls. */
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  observer?: KafkaObserver;
  /** How often handled offsets are committed (default 1 s); a rebalance (before the member rejoins) and a clean stop commit at once. */
  commitIntervalMs?: number;
  /** How the broker answers fetches (default: as soon as one record is there). */
  fetch?: FetchGathering;
}

/**
 * A consumer off the latency path (a record of what happened, not a step of it) may let the
 * broker gather records before it answers a fetch: it answers once `minBytes` are there, or
 * after `maxWaitMs`. Fewer, fuller batches mean fewer handler calls and database round trips
 * per record, at moderate rates most of all, for at most `maxWaitMs` more latency.
 */
export interface FetchGathering {
  minBytes: number;
  maxWaitMs: number;
}

const RETRY = { initialMs: 200, maxMs: 30_000, multiplier: 2 };
/** Records handed to one handler call at most, when partition batches are joined. */
const MAX_JOINED_RECORDS = 2_000;
const HEARTBEAT_INTERVAL_MS = 3_000;
const COMMIT_INTERVAL_MS = 1_000;

/**
 * Consumes one topic in batches (the fast path: eachBatch with explicit offsets).
 *
 * - Every record is validated against the topic's schema before any handler sees it; an
 *   invalid one goes to the dead-letter topic with the error and its original bytes.
 * - The handler gets the valid records of a batch at once, so it can do one database round
 *   trip for all of them. The batches of all partitions that one fetch brought are joined
 *   into one handler call (up to MAX_JOINED_RECORDS): kafkajs hands them over one partition
 *   at a time, and a call per partition multiplied every stage's round trips by the number
 *   of partitions with something new. Offsets are committed only after it returns and its
 *   dead letters are acknowledged by the broker: delivery is at least once. They are committed on an
 *   interval, not per batch (each commit is a round trip and a write at the broker, for every
 *   consumer of every service): a crash redelivers at most that interval's records, which
 *   every handler takes idempotently; a clean stop or a rebalance commits everything handled
 *   first.
 * - A handler that throws is retried with backoff (the database or broker may be away),
 *   each partition's batch on its own, so that the partitions whose records are fine are
 *   handled and committed meanwhile and only the failing one waits; a rule that cannot
 *   process one record must return it as a dead letter instead.
 * - One consumer per topic, so a slow topic never starves another.
 */
export class TopicConsumer<S extends z.ZodType> {
  private readonly consumer: Consumer;
  private running = false;
  private readonly committer: Periodic;
  /** The group's resolved-but-uncommitted offsets (kafkajs forgets revoked partitions' on a rebalance). */
  private uncommitted: (() => OffsetsByTopicPartition) | null = null;
  /** This member's id in its group, once it joined. */
  private memberId: string | null = null;
  private removeRejoinHook: (() => void) | null = null;
  /**
   * Partition batches join handler calls, one call at a time. They are gathered until the
   * current turn of the event loop ends: kafkajs starts the batches of one fetch one after the
   * other, a few callbacks apart. Batches arriving while a call runs form the next.
   */
  private readonly joined = new Batcher<Joining<z.infer<S>>, { outcome: Promise<BatchOutcome | 'aborted'> }>(
    async (group) => {
      try {
        const outcomes = await this.attempt(group);
        return group.map((j) => ({ outcome: Promise.resolve(outcomes.get(j)!) }));
      } catch (error) {
        // One failing call must not hold back the partitions whose records are fine: each
        // batch is retried on its own, outside the joined calls (which go on meanwhile), so
        // the healthy ones are handled and committed and only the failing one waits.
        return group.map((j) => ({ outcome: this.retryAlone(j, error as Error) }));
      }
    },
    { maxItems: MAX_JOINED_RECORDS, weight: (j) => j.records.length, maxConcurrent: 1, gather: 'turn' },
  );
  constructor(private readonly options: TopicConsumerOptions<S>) {
    // commitHandled reports its own failures: a failed commit only means redelivery.
    this.committer = new Periodic(
      options.commitIntervalMs ?? COMMIT_INTERVAL_MS,
      () => this.commitHandled('interval'),
      () => undefined,
    );
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: 1024 * 1024,
      // By default the broker answers a fetch as soon as one byte is there, and this only
      // bounds an idle wait. At 100 ms the stack's 20 idle consumers cost the broker 200
      // fetches a second.
      minBytes: options.fetch?.minBytes ?? 1,
      maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 500,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic.name, fromBeginning: this.options.fromBeginning ?? true });
    this.running = true;
    // kafkajs's own autoCommit sends an OffsetCommit after every batch, whatever its interval
    // says. Here one timer commits what was handled, and everything handled is committed
    // before the member rejoins its group (kafkajs waits for it: rejoin-hook.ts), so that the
    // next owner of a revoked partition starts after what this one handled, and at a clean stop.
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => (this.memberId = event.payload.memberId));
    this.removeRejoinHook = beforeRejoin(
      this.options.groupId,
      () => this.memberId,
      () => this.commitHandled('rebalance'),
    );
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition batch of a fetch is taken at once, so that they join one handler call.
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? Math.max(1, this.options.topic.partitions),
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.committer.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    // Batches still in flight commit their own offsets as they finish; what was handled since
    // the last commit goes now. A clean stop redelivers nothing.
    this.running = false;
    await this.committer.stop();
    await this.commitHandled('stop');
    await this.consumer.disconnect();
    this.removeRejoinHook?.();
  }

  /** Commits every offset handled and not yet committed (a failure only means redelivery). */
  private async commitHandled(when: 'interval' | 'stop' | 'rebalance'): Promise<void> {
    const pending = this.uncommitted?.().topics.flatMap(({ topic, partitions }) => partitions.map((p) => ({ topic, ...p }))) ?? [];
    if (pending.length === 0) return;
    await this.consumer.commitOffsets(pending).catch((error: Error) =>
      this.options.log.warn(`could not commit handled offsets (${when}); those records will be delivered again after a crash`, {
        topic: this.options.topic.name,
        group: this.options.groupId,
        error: error.message,
      }),
    );
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    // A big batch on a busy machine can take longer than the session timeout: without
    // heartbeats meanwhile the member is dropped from its group, its commit refused and the
    // batch handled again by whoever gets the partition, again too slowly (a rebalance loop).
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    try {
      await this.handleBatch(payload);
    } finally {
      clearInterval(beat);
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const observer = this.options.observer ?? NO_OBSERVER;
    const started = performance.now();
    const now = Date.now();
    const valid: ConsumedRecord<z.infer<S>>[] = [];
    const spans: Span[] = [];
    const invalid: OutgoingRecord[] = [];

    for (const message of batch.messages) {
      const headers = stringHeaders(message.headers);
      const decoded = decodeValue(this.options.topic, message.value);
      if (!decoded.ok) {
        invalid.push(this.deadLetter(batch.partition, message, headers, decoded.kind, decoded.message, decoded.issues));
        continue;
      }
      observer.recordLatency(batch.topic, this.options.groupId, Math.max(0, now - Number(message.timestamp)) / 1000);
      const parent = extractContext(headers);
      const span = tracer().startSpan(
        this.options.spanName,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': batch.topic,
            'messaging.kafka.destination.partition': batch.partition,
            'messaging.kafka.message.offset': Number(message.offset),
            'messaging.consumer.group.name': this.options.groupId,
            ...(this.options.describe?.(decoded.value) ?? {}),
          },
        },
        parent,
      );
      spans.push(span);
      valid.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: decoded.value,
        headers,
        timestamp: message.timestamp,
        context: trace.setSpan(parent, span),
      });
    }

    if (invalid.length > 0) {
      await this.options.publisher.publishRaw(invalid);
      for (const kind of new Set(invalid.map((d) => d.headers['x-dead-letter-kind'] ?? 'invalid'))) {
        observer.deadLettered(batch.topic, this.options.groupId, kind, invalid.filter((d) => (d.headers['x-dead-letter-kind'] ?? 'invalid') === kind).length);
      }
    }

    if (valid.length > 0) {
      const outcome = await (await this.joined.add({ records: valid, spans, payload })).outcome;
      if (outcome === 'aborted') return;
      const deadLetters = outcome.deadLetters ?? [];
      if (deadLetters.length > 0) {
        observer.deadLettered(batch.topic, this.options.groupId, 'processing_error', deadLetters.length);
        await this.options.publisher.publishRaw(
          deadLetters.map((d) =>
            this.deadLetter(
              d.record.partition,
              batch.messages.find((m) => m.offset === d.record.offset)!,
              d.record.headers,
              'processing_error',
              d.error.message,
              [],
            ),
          ),
        );
      }
    }

    payload.resolveOffset(batch.lastOffset());
    this.uncommitted = () => payload.uncommittedOffsets();
    if (!this.running) await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    await payload.heartbeat();
    observer.batchHandled(batch.topic, this.options.groupId, batch.partition, batch.messages.length, (performance.now() - started) / 1000, Number(batch.offsetLag()));
  }

  /**
   * Calls the handler once with the records of the joined batches; dead letters go back to the
   * batch they came from. Throws what the handler threw.
   */
  private async attempt(group: Joining<z.infer<S>>[]): Promise<Map<Joining<z.infer<S>>, BatchOutcome>> {
    const outcome = await this.options.handler(group.flatMap((j) => j.records));
    const letters = new Map(group.map((j) => [j, [] as DeadLetter[]]));
    const byRecord = new Map(group.flatMap((j) => j.records.map((r) => [`${r.partition}:${r.offset}`, letters.get(j)!] as const)));
    for (const letter of outcome?.deadLetters ?? []) {
      const list = byRecord.get(`${letter.record.partition}:${letter.record.offset}`);
      if (list) list.push(letter);
      else this.options.log.error('the handler dead-lettered a record it was not given; ignored', { topic: this.options.topic.name, partition: letter.record.partition, offset: letter.record.offset });
    }
    for (const j of group) for (const span of j.spans) span.end();
    return new Map(group.map((j) => [j, { deadLetters: letters.get(j)! }]));
  }

  /**
   * Retries one partition's batch with backoff, on its own, until the handler takes it. A
   * batch whose partition was taken away meanwhile (a rebalance, a stop) gives up: its records
   * are someone else's now.
   */
  private async retryAlone(j: Joining<z.infer<S>>, failure: Error): Promise<BatchOutcome | 'aborted'> {
    let error = failure;
    for (let attempt = 0; ; attempt++) {
      if (!j.payload.isRunning() || j.payload.isStale()) {
        for (const span of j.spans) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'consumer stopped before the batch was processed' });
          span.end();
        }
        return 'aborted';
      }
      const delay = backoffDelay(attempt, RETRY);
      this.options.log.error('batch handler failed; retrying', {
        topic: this.options.topic.name,
        group: this.options.groupId,
        partition: j.payload.batch.partition,
        attempt: attempt + 1,
        retryInMs: delay,
        error: error.message,
      });
      await sleep(delay);
      await j.payload.heartbeat().catch(() => undefined);
      try {
        return (await this.attempt([j])).get(j)!;
      } catch (e) {
        error = e as Error;
      }
    }
  }

  private deadLetter(
    partition: number,
    message: KafkaMessage,
    headers: Record<string, string>,
    kind: 'invalid_json' | 'schema_violation' | 'processing_error',
    errorMessage: string,
    issues: { path: string; message: string }[],
  ): OutgoingRecord {
    // Every dead letter is logged once, whatever made it one (the bytes go to the topic only).
    this.options.log.warn('record sent to the dead-letter topic', {
      topic: this.options.topic.name,
      partition,
      group: this.options.groupId,
      offset: message.offset,
      kind,
      error: errorMessage,
    });
    const value = {
      sourceTopic: this.options.topic.name,
      partition,
      offset: message.offset,
      consumerGroup: this.options.groupId,
      keyBase64: message.key?.toString('base64') ?? null,
      valueBase64: message.value?.toString('base64') ?? null,
      headers,
      error: { kind, message: errorMessage, issues },
      at: new Date().toISOString(),
    };
    return {
      topic: TOPICS.deadLetter.name,
      key: this.options.topic.name,
      value: encodeValue(value),
      headers: { 'content-type': 'application/json', 'x-source-offset': message.offset, 'x-dead-letter-kind': kind },
    };
  }
}

/** A partition batch's valid records, waiting to join a handler call. */
interface Joining<T> {
  records: ConsumedRecord<T>[];
  spans: Span[];
  payload: EachBatchPayload;
}

export function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
