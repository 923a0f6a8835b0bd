import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { enforcementKey, TOPICS, type EnforcementEvent } from '@sms/contracts';
import { CompactedTopicView, KafkaPublisher, record } from '@sms/kafka';
import { KAFKA_CLIENT, KAFKA_OPTIONS, type KafkaModuleOptions } from '@sms/nest-kafka';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { HistoryRepository } from '../history/history.repository.js';
import { ReportsRepository } from '../reports/reports.repository.js';
import { suspensionsDue, windowStarts, type WindowStarts } from '../rules/enforcement.js';
import { RULE_DATA, type EnforcementRules, type RuleData } from '../rules/rule-data.js';

/**
 * MP.ISV and MP.ENFORCEMENT: after every batch of decisions, the tenants that got blocks are
 * counted against the thresholds; past them, the campaign or the tenant is suspended (on
 * `tenant.enforcement.v1`, which intake applies) and the suspension goes into the tenant's
 * history. Operators lift suspensions, recorded the same way.
 */
@Injectable()
export class EnforcementService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EnforcementService.name);
  private readonly rules: EnforcementRules;
  private readonly view: CompactedTopicView<typeof TOPICS.enforcement.schema>;
  /** Enforcement decided here that the view may not show yet. */
  private readonly recent = new Map<string, EnforcementEvent>();

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_OPTIONS) options: KafkaModuleOptions,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(ReportsRepository) private readonly reports: ReportsRepository,
    @Inject(RULE_DATA) ruleData: RuleData,
  ) {
    this.rules = ruleData.enforcement;
    this.view = new CompactedTopicView(kafka, TOPICS.enforcement, `${options.service}.enforcement`, options.log);
  }

  async onModuleInit(): Promise<void> {
    await this.view.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.view.stop();
  }

  isSuspended(tenantId: string, campaign: string | null): boolean {
    const key = enforcementKey({ tenantId, ...(campaign ? { campaign } : {}) });
    return (this.recent.get(key) ?? this.view.get(key))?.suspended ?? false;
  }

  /** The latest enforcement event of every scope, this instance's own first. */
  private latest(): EnforcementEvent[] {
    const all = new Map<string, EnforcementEvent>();
    for (const e of this.view.values()) all.set(enforcementKey(e), e);
    for (const [key, e] of this.recent) all.set(key, e);
    return [...all.values()];
  }

  suspensions(): EnforcementEvent[] {
    return this.latest().filter((e) => e.suspended);
  }

  /** Where each of a tenant's violation windows starts: at its latest lift, if any. */
  windowStarts(tenantId: string): WindowStarts {
    return windowStarts(this.latest(), tenantId);
  }

  async check(tenantIds: string[]): Promise<void> {
    for (const tenantId of new Set(tenantIds)) {
      const counts = await this.reports.violationCounts(tenantId, this.rules.windowHours, this.rules.serious, this.rules.notViolations, this.windowStarts(tenantId));
      const suspended = new Set(
        counts.campaigns
          .map((c) => c.campaign)
          .concat('*')
          .filter((c) => this.isSuspended(tenantId, c === '*' ? null : c))
          .map((c) => `${tenantId}|${c}`),
      );
      for (const due of suspensionsDue(counts, this.rules, suspended)) {
        await this.apply({ tenantId, ...(due.campaign ? { campaign: due.campaign } : {}), suspended: true, reason: due.reason, decidedBy: 'audit (automatic)', at: new Date().toISOString() });
      }
    }
  }

  async apply(event: EnforcementEvent): Promise<void> {
    await this.history.appendTenantEvents([
      {
        tenantId: event.tenantId,
        eventId: randomUUID(),
        kind: event.suspended ? 'suspended' : 'suspension_lifted',
        campaign: event.campaign ?? null,
        reason: event.reason,
        actor: event.decidedBy,
        facts: {},
        occurredAt: event.at,
      },
    ]);
    await this.publisher.publishRaw([record('enforcement', enforcementKey(event), event)]);
    this.recent.set(enforcementKey(event), event);
    this.logger.warn({ message: event.suspended ? 'suspended' : 'suspension lifted', tenantId: event.tenantId, campaign: event.campaign ?? '*', reason: event.reason, by: event.decidedBy });
  }
}
