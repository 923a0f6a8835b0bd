import type { KafkaObserver } from '@sms/kafka';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Prometheus metrics every service exposes on GET /metrics (MP.ENFORCEMENT: operators see
 * violations as they happen): decisions by stage and clause, per-stage latency, consumer lag,
 * dead letters. Labels are stages, decisions, clause ids, topics and groups: bounded, and never
 * a number, a body or a tenant.
 */
export class PipelineMetrics implements KafkaObserver {
  private static instance: PipelineMetrics | undefined;

  /** One set of metrics per process (prom-client's registry is global). */
  static get shared(): PipelineMetrics {
    PipelineMetrics.instance ??= new PipelineMetrics();
    return PipelineMetrics.instance;
  }

  private readonly decisions = new Counter({
    name: 'sms_decisions_total',
    help: 'Verdicts published by the pipeline stages, by stage, decision and cited clause',
    labelNames: ['stage', 'decision', 'clause'] as const,
  });
  private readonly latency = new Histogram({
    name: 'sms_stage_latency_seconds',
    help: 'Time from a record being produced to this stage processing it, by topic and consumer group',
    labelNames: ['topic', 'group'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });
  private readonly batchSeconds = new Histogram({
    name: 'sms_batch_handler_seconds',
    help: 'Time a stage spent on one fetched batch, by topic and consumer group',
    labelNames: ['topic', 'group'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  private readonly records = new Counter({
    name: 'sms_records_consumed_total',
    help: 'Records handled, by topic and consumer group',
    labelNames: ['topic', 'group'] as const,
  });
  private readonly lag = new Gauge({
    name: 'sms_consumer_lag',
    help: 'Records behind the end of the partition after the last handled batch, by topic, group and partition',
    labelNames: ['topic', 'group', 'partition'] as const,
  });
  private readonly deadLetters = new Counter({
    name: 'sms_dead_letters_total',
    help: 'Records sent to the dead-letter topic, by source topic, group and kind',
    labelNames: ['topic', 'group', 'kind'] as const,
  });

  private constructor() {
    collectDefaultMetrics({ prefix: 'sms_process_' });
  }

  batchHandled(topic: string, group: string, partition: number, count: number, seconds: number, lag: number): void {
    this.batchSeconds.observe({ topic, group }, seconds);
    this.records.inc({ topic, group }, count);
    this.lag.set({ topic, group, partition: String(partition) }, lag);
  }

  recordLatency(topic: string, group: string, seconds: number): void {
    this.latency.observe({ topic, group }, seconds);
  }

  deadLettered(topic: string, group: string, kind: string, count: number): void {
    this.deadLetters.inc({ topic, group, kind }, count);
  }

  verdictPublished(stage: string, decision: string, clauses: readonly string[]): void {
    for (const clause of clauses) this.decisions.inc({ stage, decision, clause });
  }

  /** The exposition text of every metric of the process. */
  static async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: register.contentType, body: await register.metrics() };
  }
}
