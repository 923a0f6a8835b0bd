import { Controller, Inject } from '@nestjs/common';
import type { ClusteredMessageEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher, routeSteps, type BatchOutcome, type ConsumedRecord, type StageRoute } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { JsonLogger } from '@sms/nest-runtime';
import { TenantDirectory } from '@sms/tenancy';
import { DecisionsRepository } from '../decisions/decisions.repository.js';
import { senderKey } from '../rules/sender-pool.js';
import { decideBatch } from './detector-batch.js';
import { RedisStore } from './redis-store.js';
import { SnowshoeMetrics } from './snowshoe-metrics.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';

/** Cleared messages are keyed by sender: the dispatcher paces per sender. */
const ROUTE: StageRoute = { next: 'cleared', nextKey: senderKey };

/**
 * Stage two of the detector: each sending identity's messages (a tenant's content cluster)
 * arrive in order in one instance. A batch's verdicts already given and its state are loaded at
 * once, its actor markers are counted across tenants, every new message is counted into its
 * cluster's windows and decided, the verdicts are written once to PostgreSQL and the state to
 * Redis, and only then are the messages published: passes to sms.cleared.v1 keyed by sender
 * (the dispatcher paces per sender), holds and blocks to sms.stopped.v1 keyed by recipient
 * token. A redelivered message gets the verdict it was given, without being counted twice.
 */
@Controller()
export class SnowshoeConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(RedisStore) private readonly store: RedisStore,
    @Inject(DecisionsRepository) private readonly decisions: DecisionsRepository,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(SnowshoeMetrics) private readonly metrics: SnowshoeMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  @ConsumeTopic('snowshoeClustered')
  async onClustered(records: ConsumedRecord<ClusteredMessageEvent>[]): Promise<BatchOutcome> {
    const { decided, alerts, fresh } = await decideBatch(
      this.store,
      this.decisions,
      this.rules,
      (id) => this.tenants.get(id),
      records.map((r) => r.value),
      new Date(),
    );
    decided.forEach((d, i) => {
      if (fresh[i]) this.metrics.decisions.inc({ decision: d.verdict.decision });
      else this.metrics.repeated.inc({ decision: d.verdict.decision });
    });

    for (const alert of alerts) {
      this.metrics.alerts.inc({ decision: alert.decision, rule: alert.rule });
      // The alert operators act on: structured, with the evidence, never a body or recipient.
      this.logger.warn({
        message: `snowshoeing alert: content cluster ${alert.decision === 'hold' ? 'held' : 'blocked'}`,
        alert: 'snowshoe',
        decision: alert.decision,
        rule: alert.rule,
        clauses: ['MP.EVASION.SNOWSHOE'],
        reason: alert.reason,
        clusterId: alert.clusterId,
        window: alert.window,
        messageId: alert.messageId,
        evidence: alert.facts,
      });
    }

    await this.publisher.publishRaw(
      routeSteps(
        ROUTE,
        records.map((r, i) => ({
          envelope: r.value.envelope,
          verdict: decided[i]!.verdict,
          // This topic is keyed by sending identity: the recipient token is made for the stopped ones.
          recipientToken: (judged) => this.pseudonyms.token(judged.tenantId, judged.message.to),
          context: r.context,
        })),
      ),
    );
    return {};
  }
}
