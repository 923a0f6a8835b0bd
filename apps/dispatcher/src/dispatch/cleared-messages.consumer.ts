import { Controller, Inject } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { DispatchService } from './dispatch.service.js';

/** Messages every rule stage cleared, keyed by sender: the last step before Twilio. */
@Controller()
export class ClearedMessagesConsumer {
  constructor(
    @Inject(DispatchService) private readonly dispatcher: DispatchService,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  @ConsumeTopic('cleared')
  async onCleared(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const out = await this.dispatcher.dispatch(records.map((r) => ({ envelope: r.value, context: r.context })));
    await this.publisher.publishRaw(out);
    return {};
  }
}
