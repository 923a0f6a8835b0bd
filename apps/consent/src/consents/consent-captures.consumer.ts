import { Controller, Inject } from '@nestjs/common';
import type { ConsentCaptureEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord, DeadLetter } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { ConsentCaptureService } from './consent-capture.service.js';

/** Consents captured by upstream sign-up flows; a refused one goes to the dead-letter topic with why. */
@Controller()
export class ConsentCapturesConsumer {
  constructor(
    @Inject(ConsentCaptureService) private readonly captures: ConsentCaptureService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  @ConsumeTopic('consentCaptures')
  async onCaptures(records: ConsumedRecord<ConsentCaptureEvent>[]): Promise<BatchOutcome> {
    const deadLetters: DeadLetter[] = [];
    for (const r of records) {
      const { tenantId, captureId, at: _at, ...capture } = r.value;
      const tenant = this.tenants.get(tenantId);
      if (!tenant) {
        deadLetters.push({ record: r, error: new Error(`tenantId: tenant "${tenantId}" is unknown`) });
        continue;
      }
      const [outcome] = await this.captures.capture(tenant, [{ capture, channel: 'kafka', captureId }]);
      if (outcome && !outcome.ok) {
        const why = outcome.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
        deadLetters.push({ record: r, error: new Error(outcome.clause ? `${outcome.clause}: ${why}` : why) });
      }
    }
    return { deadLetters };
  }
}
