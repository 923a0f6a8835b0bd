import { Controller, Inject } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { fingerprint } from '../rules/fingerprint.js';
import { DetectorRules } from './detector-rules.js';
import { RedisStore } from './redis-store.js';
import { SnowshoeMetrics } from './snowshoe-metrics.js';

/**
 * Stage one of the detector: screened messages (keyed by recipient) get their content
 * cluster from the shared index and are re-keyed by cluster onto snowshoe.clustered.v1, so
 * that stage two sees each cluster's messages in order, in one instance.
 */
@Controller()
export class ClusterAssignmentConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(RedisStore) private readonly store: RedisStore,
    @Inject(DetectorRules) private readonly rules: DetectorRules,
    @Inject(SnowshoeMetrics) private readonly metrics: SnowshoeMetrics,
  ) {}

  @ConsumeTopic('screened')
  async onScreened(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const fingerprints = records.map((r) => fingerprint(r.value.message.body, this.rules.text, this.rules.data.similarity));
    // The pipeline's own answers (opt-out confirmations, HELP) are never clustered: see decideSnowshoe.
    const counted = records.map((r, i) => (r.value.kind === 'standard' ? i : -1)).filter((i) => i >= 0);
    const assigned = await this.store.assign(counted.map((i) => fingerprints[i]!), Date.now());
    const assignments = new Map(counted.map((i, k) => [i, assigned[k]!]));
    await this.publisher.publishRaw(
      records.map((r, i) => {
        const a = assignments.get(i) ?? { clusterId: fingerprints[i]!.template, match: 'new' as const };
        this.metrics.assignments.inc({ match: a.match });
        return record('snowshoeClustered', a.clusterId, { envelope: r.value, template: fingerprints[i]!.template, ...a }, r.context);
      }),
    );
    return {};
  }
}
