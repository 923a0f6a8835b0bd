import { Controller, Inject, Logger } from '@nestjs/common';
import { requesterLabel, type CancelRequestEvent, type StatusEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type DeadLetter, type OutgoingRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { DispatchOutbox } from '../dispatch/dispatch-outbox.js';
import type { OutboxRow } from '../dispatch/outbox.repository.js';
import type { CancelDecision } from '../rules/cancellation.js';
import { CancellationsRepository } from './cancellations.repository.js';

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
    @Inject(CancellationsRepository) private readonly cancellations: CancellationsRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(DispatchOutbox) private readonly outbox: DispatchOutbox,
  ) {}

  @ConsumeTopic('cancelRequests')
  async onCancelRequests(records: ConsumedRecord<CancelRequestEvent>[]): Promise<BatchOutcome> {
    const out: OutgoingRecord[] = [];
    const rows: OutboxRow[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const r of records) {
      const request = r.value;
      const by = requesterLabel(request.requestedBy);
      const answer = (decision: CancelDecision): OutgoingRecord | null => {
        if (decision.outcome === 'refused' && decision.foreign) return null;
        const event: StatusEvent = {
          messageId: request.messageId,
          tenantId: request.tenantId,
          status: decision.outcome === 'cancelled' ? 'cancelled' : decision.status,
          source: 'dispatcher',
          reason: (decision.outcome === 'cancelled' ? `cancelled by ${by}` : `cancellation by ${by} refused: ${decision.reason}`).slice(0, 500),
          cancellation: { requestId: request.requestId, requestedBy: request.requestedBy, outcome: decision.outcome },
          at: new Date().toISOString(),
        };
        return record('status', request.messageId, event, r.context);
      };
      // A new answer is written to the outbox with the decision; a repeated request's first answer is published again.
      const { decision, repeated, outbox } = await this.cancellations.cancel(request, answer);
      if (decision.outcome === 'refused' && decision.foreign) {
        deadLetters.push({ record: r, error: new Error(`cancel request ${request.requestId}: ${decision.reason}`) });
        continue;
      }
      this.logger.log({ message: 'cancel request decided', messageId: request.messageId, tenantId: request.tenantId, outcome: decision.outcome, reason: decision.reason });
      rows.push(...outbox);
      const again = repeated ? answer(decision) : null;
      if (again) out.push(again);
    }
    await Promise.all([this.outbox.publish(rows), this.publisher.publishRaw(out)]);
    return { deadLetters };
  }
}
