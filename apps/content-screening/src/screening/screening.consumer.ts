import { Controller, Inject } from '@nestjs/common';
import { appendVerdict, type MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import type { CompiledRules } from '../rules/compile.js';
import { screenMessage } from '../rules/screen-message.js';

export const COMPILED_RULES = Symbol('COMPILED_RULES');

/** The content-screening stage: consented messages in, screened (possibly transformed) or stopped messages out. */
@Controller()
export class ScreeningConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(COMPILED_RULES) private readonly rules: CompiledRules,
  ) {}

  @ConsumeTopic('consented')
  async onConsented(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const now = new Date();
    await this.publisher.publishRaw(
      records.map((r) => {
        const verdict = screenMessage(r.value, this.rules, this.tenants.get(r.value.tenantId), now);
        const next = appendVerdict(r.value, verdict);
        const key = this.pseudonyms.token(r.value.tenantId, r.value.message.to);
        return record(verdict.decision === 'pass' || verdict.decision === 'transform' ? 'screened' : 'stopped', key, next, r.context);
      }),
    );
    return {};
  }
}
