import { Controller, Inject, Logger } from '@nestjs/common';
import { requesterLabel, type CancelRequestEvent, type StatusEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type DeadLetter, type OutgoingRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { DispatchRepository } from '../database/dispatch.repository.js';

/**
 * Cancel requests (`sms.cancel-requests.v1`: audit's `DELETE /v1/messages/{id}` and upstream
 * products), decided one by one by the ledger, the point of truth for "handed to Twilio"; each
 * answer is published on `sms.status.v1` with the request id and who asked. A request that
 * names another tenant's message is refused and dead-lettered: retrying cannot fix it.
 */
@Controller()
export class CancelRequestsConsumer {
  private readonly logger = new Logger(CancelRequestsConsumer.name);

  constructor(
    @Inject(DispatchRepository) private readonly ledger: DispatchRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  @ConsumeTopic('cancelRequests')
  async onCancelRequests(records: ConsumedRecord<CancelRequestEvent>[]): Promise<BatchOutcome> {
    const out: OutgoingRecord[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const r of records) {
      const request = r.value;
      const { decision } = await this.ledger.cancel(request);
      if (decision.outcome === 'refused' && decision.foreign) {
        deadLetters.push({ record: r, error: new Error(`cancel request ${request.requestId}: ${decision.reason}`) });
        continue;
      }
      const by = requesterLabel(request.requestedBy);
      const event: StatusEvent = {
        messageId: request.messageId,
        tenantId: request.tenantId,
        status: decision.outcome === 'cancelled' ? 'cancelled' : decision.status,
        source: 'dispatcher',
        reason: (decision.outcome === 'cancelled' ? `cancelled by ${by}` : `cancellation by ${by} refused: ${decision.reason}`).slice(0, 500),
        cancellation: { requestId: request.requestId, requestedBy: request.requestedBy, outcome: decision.outcome },
        at: new Date().toISOString(),
      };
      this.logger.log({ message: 'cancel request decided', messageId: request.messageId, tenantId: request.tenantId, outcome: decision.outcome, reason: decision.reason });
      out.push(record('status', request.messageId, event, r.context));
    }
    await this.publisher.publishRaw(out);
    return { deadLetters };
  }
}
