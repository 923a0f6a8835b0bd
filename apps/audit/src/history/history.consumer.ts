import { Controller, Inject } from '@nestjs/common';
import type { MessageEnvelope, StatusEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { HistoryRepository } from '../database/history.repository.js';
import { historyFromEnvelope, historyFromStatus, type HistoryEvent } from '../rules/history.js';

/**
 * Audit reads every stage topic: each envelope carries the verdict its stage appended, so
 * the history is exactly what the stages decided, not a second report of it.
 */
@Controller()
export class HistoryConsumer {
  constructor(@Inject(HistoryRepository) private readonly history: HistoryRepository) {}

  @ConsumeTopic('accepted')
  async onAccepted(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, true);
  }

  @ConsumeTopic('consented')
  async onConsented(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('screened')
  async onScreened(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('cleared')
  async onCleared(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('stopped')
  async onStopped(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    return this.recordEnvelopes(records, false);
  }

  @ConsumeTopic('status')
  async onStatus(records: ConsumedRecord<StatusEvent>[]): Promise<BatchOutcome> {
    await this.history.append(records.map((r) => historyFromStatus(r.value)));
    return {};
  }

  private async recordEnvelopes(records: ConsumedRecord<MessageEnvelope>[], accepted: boolean): Promise<BatchOutcome> {
    await this.history.append(records.map((r) => historyFromEnvelope(r.value, accepted)).filter((e): e is HistoryEvent => e !== null));
    return {};
  }
}
