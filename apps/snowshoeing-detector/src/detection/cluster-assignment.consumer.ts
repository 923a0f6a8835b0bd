import { Controller, Inject } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { campaignClusterId } from '../rules/decide-snowshoe.js';
import { assignBatch } from './detector-batch.js';
import { RedisStore } from './redis-store.js';
import { SnowshoeMetrics } from './snowshoe-metrics.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';

/**
 * Stage one of the detector: screened messages (keyed by recipient) get their content
 * cluster from the shared index and their actor markers, and are re-keyed by sending identity
 * (tenant and campaign) onto snowshoe.clustered.v1, so that stage two sees each tenant's
 * campaign, every content of it, in order, in one instance.
 */
@Controller()
export class ClusterAssignmentConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(RedisStore) private readonly store: RedisStore,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(SnowshoeMetrics) private readonly metrics: SnowshoeMetrics,
  ) {}

  @ConsumeTopic('screened')
  async onScreened(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const clustered = await assignBatch(
      this.store,
      this.rules,
      records.map((r) => r.value),
      Date.now(),
    );
    await this.publisher.publishRaw(
      clustered.map((c, i) => {
        this.metrics.assignments.inc({ match: c.match });
        // Keyed by sending identity: one instance sees each tenant's campaign in order.
        return record('snowshoeClustered', campaignClusterId(c.envelope.tenantId, c.envelope.message.campaign), c, records[i]!.context);
      }),
    );
    return {};
  }
}
