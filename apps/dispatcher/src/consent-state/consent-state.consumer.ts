import { Controller, Inject } from '@nestjs/common';
import type { ConsentStateEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { DispatchRepository } from '../database/dispatch.repository.js';

/** Keeps the dispatcher's view of opt-out state, for the last-moment check. */
@Controller()
export class ConsentStateConsumer {
  constructor(@Inject(DispatchRepository) private readonly ledger: DispatchRepository) {}

  @ConsumeTopic('consentState')
  async onConsentState(records: ConsumedRecord<ConsentStateEvent>[]): Promise<BatchOutcome> {
    await this.ledger.applyConsentStates(records.map((r) => r.value));
    return {};
  }
}
