import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { topicByName } from '@sms/contracts';
import { TopicConsumer, type BatchOutcome, type ConsumedRecord, type KafkaLogSink, type KafkaPublisher } from '@sms/kafka';
import type { Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import type { ConsumeOptions } from './consume-topic.decorator.js';
import { PipelineMetrics } from './pipeline-metrics.js';

export interface KafkaTransportOptions {
  kafka: Kafka;
  publisher: KafkaPublisher;
  service: string;
  log: KafkaLogSink;
  /** Partition batches of one fetch taken at once (default: all of the topic's, joined into one handler call). */
  partitionsConsumedConcurrently?: number;
  /** Span attributes per record, by topic (never phone numbers or bodies in clear). */
  describe?: (topic: string, value: unknown) => Record<string, string | number | boolean>;
}

/**
 * A NestJS transport strategy: every `@EventPattern(topicName)` handler of the service gets
 * its own batch consumer (consumer group `<service>.<topic>`).
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: TopicConsumer<never>[] = [];

  constructor(private readonly options: KafkaTransportOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const [pattern, handler] of this.getHandlers()) {
        const topic = topicByName(pattern);
        const options = (handler.extras ?? {}) as ConsumeOptions;
        if (!topic) throw new Error(`@EventPattern("${pattern}") names a topic that is not in the topic catalogue`);
        const consumer = new TopicConsumer({
          kafka: this.options.kafka,
          topic,
          groupId: `${this.options.service}.${topic.name}`,
          publisher: this.options.publisher,
          log: this.options.log,
          spanName: `${this.options.service} ${topic.name}`,
          describe: (value: unknown) => this.options.describe?.(topic.name, value) ?? {},
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
          fetch: options.fetch,
          observer: PipelineMetrics.shared,
          handler: (records) => this.dispatch(pattern, records),
        });
        this.consumers.push(consumer as TopicConsumer<never>);
      }
      await Promise.all(this.consumers.map((c) => c.start()));
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  on(): never {
    throw new Error('KafkaBatchTransport does not emit events');
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }

  private async dispatch(pattern: string, records: ConsumedRecord<unknown>[]): Promise<BatchOutcome | void> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    const result: unknown = await handler(records);
    const value: unknown = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
    return value as BatchOutcome | undefined;
  }
}
