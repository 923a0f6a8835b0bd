import { Controller, Inject } from '@nestjs/common';
import { appendVerdict, type ClusteredMessageEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { JsonLogger } from '@sms/nest-runtime';
import { TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { decideSnowshoe, senderOf, type Decision } from '../rules/decide-snowshoe.js';
import { senderKey } from '../rules/sender-pool.js';
import { DetectorRules } from './detector-rules.js';
import { RedisStore, type StoredDecision } from './redis-store.js';
import { SnowshoeMetrics } from './snowshoe-metrics.js';

/**
 * Stage two of the detector: each cluster's messages arrive in order in one instance (keyed
 * by cluster). A batch's state is loaded in one round trip, every message is counted into its
 * cluster's windows and decided, the state and verdicts are saved in one transaction, and
 * only then are the messages published: passes to sms.cleared.v1 keyed by sender (the
 * dispatcher paces per sender), holds and blocks to sms.stopped.v1 keyed by recipient token.
 * A redelivered message gets the verdict it was given, without being counted twice.
 */
@Controller()
export class SnowshoeConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(RedisStore) private readonly store: RedisStore,
    @Inject(DetectorRules) private readonly rules: DetectorRules,
    @Inject(SnowshoeMetrics) private readonly metrics: SnowshoeMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  @ConsumeTopic('snowshoeClustered')
  async onClustered(records: ConsumedRecord<ClusteredMessageEvent>[]): Promise<BatchOutcome> {
    const now = new Date();
    const nowIso = now.toISOString();
    const senderKeys = records.map((r) => `${r.value.envelope.tenantId}|${senderOf(r.value.envelope, this.tenants.get(r.value.envelope.tenantId))}`);
    // A verdict is remembered per message and step: the same message back after a review is a new question.
    const decisionKeys = records.map((r) => `${r.value.envelope.id}:${r.value.envelope.verdicts.length}`);
    const view = await this.store.load(
      records.map((r) => r.value.clusterId),
      senderKeys,
      decisionKeys,
    );
    const alerts: NonNullable<Decision['alert']>[] = [];
    const decided = records.map((r, i) => {
      const id = decisionKeys[i]!;
      const earlier = view.decisions.get(id) ?? view.given.get(id);
      if (earlier) return earlier;
      const d = decideSnowshoe(r.value, this.tenants.get(r.value.envelope.tenantId), view, this.rules.data, 'tenants', nowIso);
      const stored: StoredDecision = { verdict: d.verdict, clusterId: d.clusterId, distinctSenders: d.distinctSenders };
      view.decisions.set(id, stored);
      if (d.alert) alerts.push(d.alert);
      this.metrics.decisions.inc({ decision: d.verdict.decision });
      return stored;
    });
    await this.store.save(view, now.getTime());

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
      records.map((r, i) => {
        const next = appendVerdict(r.value.envelope, decided[i]!.verdict);
        return decided[i]!.verdict.decision === 'pass'
          ? record('cleared', senderKey(next), next, r.context)
          : record('stopped', this.pseudonyms.token(next.tenantId, next.message.to), next, r.context);
      }),
    );
    return {};
  }
}
