import { Controller, Inject } from '@nestjs/common';
import type { EnforcementEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantRegistry } from './tenant-registry.js';

/** Suspensions decided by audit and their lifting: intake refuses what is suspended (MP.ENFORCEMENT). */
@Controller()
export class EnforcementConsumer {
  constructor(@Inject(TenantRegistry) private readonly registry: TenantRegistry) {}

  @ConsumeTopic('enforcement')
  async onEnforcement(records: ConsumedRecord<EnforcementEvent>[]): Promise<BatchOutcome> {
    for (const r of records) await this.registry.applyEnforcement(r.value);
    return {};
  }
}
