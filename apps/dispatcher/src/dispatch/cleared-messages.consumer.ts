import { Controller, Inject } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { SendQueueService } from './send-queue.service.js';

/** Messages every rule stage cleared, keyed by sender: queued for sending, in one statement per batch. */
@Controller()
export class ClearedMessagesConsumer {
  constructor(
    @Inject(SendQueueService) private readonly queue: SendQueueService,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  @ConsumeTopic('cleared')
  async onCleared(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const out = await this.queue.accept(records.map((r) => ({ envelope: r.value, context: r.context })));
    await this.publisher.publishRaw(out);
    return {};
  }
}
