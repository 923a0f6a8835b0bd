import { Controller, Inject } from '@nestjs/common';
import type { ConsentStateEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { ConsentViewRepository } from './consent-view.repository.js';

/** Keeps the dispatcher's view of opt-out state, for the last-moment check. */
@Controller()
export class ConsentStateConsumer {
  constructor(@Inject(ConsentViewRepository) private readonly view: ConsentViewRepository) {}

  @ConsumeTopic('consentState')
  async onConsentState(records: ConsumedRecord<ConsentStateEvent>[]): Promise<BatchOutcome> {
    await this.view.applyConsentStates(records.map((r) => r.value));
    return {};
  }
}
