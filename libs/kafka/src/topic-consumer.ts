import { TOPICS, type TopicDefinition } from '@sms/contracts';
import { extractContext, SpanKind, SpanStatusCode, trace, tracer, type Context, type Span } from '@sms/tracing';
import { backoffDelay, Batcher, Periodic } from '@sms/util';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, OffsetsByTopicPartition } from 'kafkajs';
import type { z } from 'zod';
import { decodeValue, encodeValue, type DecodeFailure } from './codec.js';
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
  /** How a batch that keeps failing is narrowed down to the record that fails it (defaults: POISON). */
  poison?: PoisonHandling;
}

/**
 * A record the handler throws on every time (a bug meeting data it never saw) would hold its
 * partition for ever, and every record behind it, while a database or broker outage must only
 * wait. A partition whose batch failed `splitAfterAttempts` times is narrowed down, halves in
 * offset order, to the record that fails: the records before it are handled, and it is tried
 * again later. It is dead-lettered as a processing error only once it has failed for
 * `deadLetterAfterMs` while other handler calls of the same consumer succeeded after its first
 * failure: the consumer's dependencies are up, so the record is what fails. In an outage nothing
 * succeeds, and the record waits with the rest. On a topic with no other traffic the proof comes
 * with the next record another partition brings.
 */
export interface PoisonHandling {
  splitAfterAttempts: number;
  deadLetterAfterMs: number;
}

export const POISON: PoisonHandling = { splitAfterAttempts: 3, deadLetterAfterMs: 60_000 };

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
 * - When a joined call throws, each partition's batch is tried again on its own, so that the
 *   partitions whose records are fine are handled and committed at once. A partition whose
 *   batch still fails is paused and fetched again after a backoff (the database or broker may
 *   be away): kafkajs fetches again from a broker only once every batch of its last fetch is
 *   done, so a batch retried in place would hold every partition that broker leads. A rule that
 *   cannot process one record must return it as a dead letter; a batch that keeps failing is
 *   narrowed down to the record that fails it, which is dead-lettered once the consumer's other
 *   calls prove that the rest of the world is up (PoisonHandling).
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
  /** Handler calls that succeeded so far: a record that fails while this grows is what fails. */
  private succeededCalls = 0;
  /** Partitions whose records the handler failed on, by partition: they skip the joined calls until handled. */
  private readonly failing = new Map<number, Failing>();
  /** Paused partitions' resumptions. */
  private readonly resumptions = new Set<NodeJS.Timeout>();
  /**
   * Partition batches join handler calls, one call at a time. They are gathered until the
   * current turn of the event loop ends: kafkajs starts the batches of one fetch one after the
   * other, a few callbacks apart. Batches arriving while a call runs form the next.
   */
  private readonly joined = new Batcher<Joining<z.infer<S>>, { outcome: Promise<Settled | 'aborted'> }>(
    async (group) => {
      try {
        const outcomes = await this.attempt(group);
        return group.map((j) => ({ outcome: Promise.resolve(outcomes.get(j)!) }));
      } catch {
        // One failing call must not hold back the partitions whose records are fine: each
        // batch is tried again on its own, outside the joined calls (which go on meanwhile).
        return group.map((j) => ({ outcome: this.settle(j) }));
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
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.memberId = event.payload.memberId;
      // Partitions may have changed hands: their records are tried afresh.
      this.failing.clear();
    });
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
    for (const timer of this.resumptions) clearTimeout(timer);
    this.resumptions.clear();
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
    /** Records that do not decode, dead-lettered once the records before them are handled. */
    const invalid: { message: KafkaMessage; headers: Record<string, string>; decoded: DecodeFailure }[] = [];

    for (const message of batch.messages) {
      const headers = stringHeaders(message.headers);
      const decoded = decodeValue(this.options.topic, message.value);
      if (!decoded.ok) {
        invalid.push({ message, headers, decoded });
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

    let settled: Settled = { handled: 0, deadLetters: [] };
    if (valid.length > 0) {
      const j: Joining<z.infer<S>> = { records: valid, spans, payload };
      const outcome = this.failing.has(batch.partition) ? await this.settle(j) : await (await this.joined.add(j)).outcome;
      if (outcome === 'aborted') return;
      settled = outcome;
    }
    // The first record left for later, if the handler failed: the rest of the batch is fetched again.
    const left = settled.handled < valid.length ? valid[settled.handled]! : null;
    const before = (message: { offset: string }) => left === null || BigInt(message.offset) < BigInt(left.offset);

    const invalidNow = invalid
      .filter((d) => before(d.message))
      .map(({ message, headers, decoded }) => this.deadLetter(batch.partition, message, headers, decoded.kind, decoded.message, decoded.issues));
    if (invalidNow.length > 0) {
      await this.options.publisher.publishRaw(invalidNow);
      for (const kind of new Set(invalidNow.map((d) => d.headers['x-dead-letter-kind'] ?? 'invalid'))) {
        observer.deadLettered(batch.topic, this.options.groupId, kind, invalidNow.filter((d) => (d.headers['x-dead-letter-kind'] ?? 'invalid') === kind).length);
      }
    }
    if (settled.deadLetters.length > 0) {
      observer.deadLettered(batch.topic, this.options.groupId, 'processing_error', settled.deadLetters.length);
      await this.options.publisher.publishRaw(
        settled.deadLetters.map((d) =>
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

    if (left === null) payload.resolveOffset(batch.lastOffset());
    else {
      const handledUpTo = BigInt(left.offset) - 1n;
      if (handledUpTo >= BigInt(batch.firstOffset() ?? left.offset)) payload.resolveOffset(String(handledUpTo));
      this.fetchAgainLater(payload, settled.error ?? new Error('handler failed'));
    }
    this.uncommitted = () => payload.uncommittedOffsets();
    if (!this.running) await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    await payload.heartbeat();
    observer.batchHandled(batch.topic, this.options.groupId, batch.partition, batch.messages.length, (performance.now() - started) / 1000, Number(batch.offsetLag()));
  }

  /**
   * Calls the handler once with the records of the joined batches; dead letters go back to the
   * batch they came from. Throws what the handler threw.
   */
  private async attempt(group: Joining<z.infer<S>>[]): Promise<Map<Joining<z.infer<S>>, Settled>> {
    const outcome = await this.options.handler(group.flatMap((j) => j.records));
    const letters = new Map(group.map((j) => [j, [] as DeadLetter[]]));
    const byRecord = new Map(group.flatMap((j) => j.records.map((r) => [`${r.partition}:${r.offset}`, letters.get(j)!] as const)));
    for (const letter of outcome?.deadLetters ?? []) {
      const list = byRecord.get(`${letter.record.partition}:${letter.record.offset}`);
      if (list) list.push(letter);
      else this.options.log.error('the handler dead-lettered a record it was not given; ignored', { topic: this.options.topic.name, partition: letter.record.partition, offset: letter.record.offset });
    }
    for (const j of group) for (const span of j.spans) span.end();
    this.succeededCalls++;
    return new Map(group.map((j) => [j, { handled: j.records.length, deadLetters: letters.get(j)! }]));
  }

  /**
   * Tries one partition's batch on its own, once; a partition that has failed
   * `splitAfterAttempts` times is narrowed down to the record that fails instead. What it could
   * not handle is left for later (fetchAgainLater). A batch whose partition was taken away (a
   * rebalance, a stop) gives up: its records are someone else's now.
   */
  private async settle(j: Joining<z.infer<S>>): Promise<Settled | 'aborted'> {
    const partition = j.payload.batch.partition;
    const failing = this.failing.get(partition) ?? { attempts: 0 };
    if (this.abandoned(j)) return 'aborted';
    if (failing.attempts >= (this.options.poison ?? POISON).splitAfterAttempts) return this.narrow(j, failing);
    try {
      const settled = (await this.attempt([j])).get(j)!;
      this.failing.delete(partition);
      return settled;
    } catch (error) {
      this.failing.set(partition, { ...failing, attempts: failing.attempts + 1 });
      this.leaveForLater(j.spans, error as Error);
      return { handled: 0, deadLetters: [], error: error as Error };
    }
  }

  /**
   * Handles a failing batch in ever smaller parts, in offset order, down to the first record
   * that fails on its own: the records before it are handled, and it is dead-lettered if it has
   * proved to be what fails (PoisonHandling), or left for later with the records after it.
   */
  private async narrow(j: Joining<z.infer<S>>, failing: Failing): Promise<Settled | 'aborted'> {
    const { deadLetterAfterMs } = this.options.poison ?? POISON;
    const deadLetters: DeadLetter[] = [];
    const parts: [number, number][] = [[0, j.records.length]];
    for (let part = parts.shift(); part; part = parts.shift()) {
      const [from, to] = part;
      if (this.abandoned(slice(j, from, j.records.length))) return 'aborted';
      const tried = slice(j, from, to);
      try {
        deadLetters.push(...(await this.attempt([tried])).get(tried)!.deadLetters);
        continue;
      } catch (e) {
        const error = e as Error;
        if (to - from > 1) {
          const middle = Math.ceil((from + to) / 2);
          parts.unshift([from, middle], [middle, to]);
          continue;
        }
        const record = j.records[from]!;
        const known = failing.record?.offset === record.offset ? failing.record : { offset: record.offset, since: Date.now(), succeededBefore: this.succeededCalls };
        if (Date.now() - known.since >= deadLetterAfterMs && this.succeededCalls > known.succeededBefore) {
          this.options.log.error('a record failed on its own while other records were handled; it goes to the dead-letter topic', {
            topic: this.options.topic.name,
            group: this.options.groupId,
            partition: record.partition,
            offset: record.offset,
            failingForMs: Date.now() - known.since,
            error: error.message,
          });
          this.leaveForLater(tried.spans, error);
          deadLetters.push({ record, error });
          continue;
        }
        this.failing.set(record.partition, { attempts: failing.attempts + 1, record: known });
        this.leaveForLater(j.spans.slice(from), error);
        return { handled: from, deadLetters, error };
      }
    }
    this.failing.delete(j.payload.batch.partition);
    return { handled: j.records.length, deadLetters };
  }

  /** Pauses a partition the handler failed on, and resumes it after a backoff: the records not handled are fetched again. */
  private fetchAgainLater(payload: EachBatchPayload, error: Error): void {
    const { partition } = payload.batch;
    const attempts = this.failing.get(partition)?.attempts ?? 1;
    const delay = backoffDelay(attempts - 1, RETRY);
    this.options.log.error('batch handler failed; its partition is fetched again later', {
      topic: this.options.topic.name,
      group: this.options.groupId,
      partition,
      attempt: attempts,
      retryInMs: delay,
      error: error.message,
    });
    // A consumer that is stopping leaves the records to the next member of its group.
    if (!this.running) return;
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumptions.delete(timer);
      resume();
    }, delay);
    this.resumptions.add(timer);
  }

  /** Ends the spans of records the handler failed on; they are processed again, under new spans, when fetched again. */
  private leaveForLater(spans: Span[], error: Error): void {
    for (const span of spans) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.end();
    }
  }

  /** True when the batch's partition is no longer this consumer's (a rebalance, a stop); its spans end as failed. */
  private abandoned(j: Joining<z.infer<S>>): boolean {
    if (j.payload.isRunning() && !j.payload.isStale()) return false;
    for (const span of j.spans) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'consumer stopped before the batch was processed' });
      span.end();
    }
    return true;
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

/** What became of a partition batch's valid records: the first `handled` are done; the rest are fetched again later. */
interface Settled {
  handled: number;
  deadLetters: DeadLetter[];
  /** Why the rest were left. */
  error?: Error;
}

/** A partition the handler failed on: its failed attempts, and the record it was narrowed down to, failing since when. */
interface Failing {
  attempts: number;
  record?: { offset: string; since: number; succeededBefore: number };
}

/** A partition batch's valid records, waiting to join a handler call. */
interface Joining<T> {
  records: ConsumedRecord<T>[];
  spans: Span[];
  payload: EachBatchPayload;
}

/** Records `from` to `to` of a partition batch, with their spans. */
function slice<T>(j: Joining<T>, from: number, to: number): Joining<T> {
  return { records: j.records.slice(from, to), spans: j.spans.slice(from, to), payload: j.payload };
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
