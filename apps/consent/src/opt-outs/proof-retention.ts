import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CONSENT_CONFIG_TOKEN, type ConsentConfig } from '../config.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { ProofRetentionRepository } from './proof-retention.repository.js';

/**
 * MP.CONSENT.RETAIN_PROOF: proof of consent outlives opt-outs and is removed only after the
 * retention period (rule data, overridable per deployment). Runs periodically; any instance
 * may run it (the deletes are idempotent).
 */
@Injectable()
export class ProofRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProofRetention.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(ProofRetentionRepository) private readonly retention: ProofRetentionRepository,
    @Inject(CONSENT_CONFIG_TOKEN) private readonly config: ConsentConfig,
    @Inject(RULE_DATA) private readonly ruleData: RuleData,
  ) {}

  get retentionDays(): number {
    return this.config.PROOF_RETENTION_DAYS ?? this.ruleData.policy.proofRetentionDays;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), this.config.RETENTION_CHECK_HOURS * 3_600_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    try {
      const removed = await this.retention.purgeExpired(this.retentionDays);
      this.logger.log({ message: 'retention applied', retentionDays: this.retentionDays, ...removed });
    } catch (error) {
      this.logger.warn({ message: 'retention failed; will retry', error: (error as Error).message });
    }
  }
}
