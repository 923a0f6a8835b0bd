/**
 * What the Kafka layer reports as it works, for metrics. Implementations must be cheap:
 * they run on the hot path. Labels they get are topic, consumer group and verdicts, never
 * keys or values.
 */
export interface KafkaObserver {
  /** A fetched batch was handled: its size, how long the handler took, and how far behind the partition is. */
  batchHandled(topic: string, group: string, partition: number, records: number, seconds: number, lag: number): void;
  /** How long a record waited between being produced and being processed. */
  recordLatency(topic: string, group: string, seconds: number): void;
  /** Records rejected before a handler saw them, or given up on by the handler. */
  deadLettered(topic: string, group: string, kind: string, count: number): void;
  /** A stage's verdict left the service (counted once the broker acknowledged it). */
  verdictPublished(stage: string, decision: string, clauses: readonly string[]): void;
}

export const NO_OBSERVER: KafkaObserver = {
  batchHandled: () => undefined,
  recordLatency: () => undefined,
  deadLettered: () => undefined,
  verdictPublished: () => undefined,
};
