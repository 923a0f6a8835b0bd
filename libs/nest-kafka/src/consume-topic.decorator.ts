import { EventPattern } from '@nestjs/microservices';
import { TOPICS, type TopicKey, type TopicValue } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord, FetchGathering } from '@sms/kafka';

export type TopicHandler<K extends TopicKey, R extends BatchOutcome | void = BatchOutcome | void> = (records: ConsumedRecord<TopicValue<K>>[]) => Promise<R>;

/** How a handler's topic is consumed, where it differs from the default. */
export interface ConsumeOptions {
  /** Let the broker gather records for this consumer's fetches (off the latency path only). */
  fetch?: FetchGathering;
}

/**
 * Marks a controller method as the handler of a catalogue topic. The method receives the
 * batch of validated records, typed by the topic's schema.
 */
export function ConsumeTopic<K extends TopicKey>(topic: K, options: ConsumeOptions = {}) {
  const pattern = EventPattern(TOPICS[topic].name, { ...options }) as MethodDecorator;
  return <R extends BatchOutcome | void>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<TopicHandler<K, R>>): void => {
    pattern(target, propertyKey, descriptor);
  };
}
