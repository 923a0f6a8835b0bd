import { Controller, Inject } from '@nestjs/common';
import { messageIdFor, type SendRequestEvent, type SendResultEvent } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord, type DeadLetter } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { MessageIntakeService, type AcceptOutcome } from './message-intake.service.js';

/** Why a send request was refused, naming the field as the HTTP API's 4xx does; undefined when it was accepted. */
export function refusalOf(outcome: AcceptOutcome): string | undefined {
  switch (outcome.kind) {
    case 'accepted':
      return undefined;
    case 'invalid':
      return outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    case 'suspended':
      return `campaign: ${outcome.campaign} is suspended (MP.ENFORCEMENT): ${outcome.reason}`;
    case 'idempotency-conflict':
      return `idempotencyKey: already used for message ${outcome.existingId} with a different request`;
  }
}

/**
 * Send requests that upstream products publish on Kafka instead of calling the HTTP API. Each
 * gets its answer on `sms.send-results.v1` (accepted with its message id, or refused and why);
 * a refused one also goes to the dead-letter topic with its bytes.
 */
@Controller()
export class SendRequestsConsumer {
  constructor(
    @Inject(MessageIntakeService) private readonly intake: MessageIntakeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  @ConsumeTopic('sendRequests')
  async onSendRequests(records: ConsumedRecord<SendRequestEvent>[]): Promise<BatchOutcome> {
    const deadLetters: DeadLetter[] = [];
    const results = await Promise.all(
      records.map(async (consumed) => {
        const { tenantId, idempotencyKey, ...request } = consumed.value;
        const tenant = this.tenants.get(tenantId);
        const refusal =
          !tenant || tenant.status !== 'active'
            ? `tenantId: tenant "${tenantId}" is ${tenant ? 'suspended' : 'unknown'}`
            : refusalOf(await this.intake.accept(tenant, request, { channel: 'kafka', idempotencyKey, parent: consumed.context, publishWaitMs: Infinity }));
        if (refusal !== undefined) deadLetters.push({ record: consumed, error: new Error(refusal) });
        const result: SendResultEvent = {
          tenantId,
          idempotencyKey,
          messageId: messageIdFor(tenantId, idempotencyKey),
          outcome: refusal === undefined ? 'accepted' : 'refused',
          ...(refusal !== undefined ? { reason: refusal.slice(0, 2000) } : {}),
          at: new Date().toISOString(),
        };
        return record('sendResults', `${tenantId}|${idempotencyKey}`, result, consumed.context);
      }),
    );
    // Answered after the requests are accepted and their messages published: a crash in between
    // redelivers them, and the same key gives the same message and the same answer again. Their
    // offsets are committed only after that, so the next owner of the partition, after a
    // rebalance, publishes the recipient's later messages after them.
    await this.publisher.publishRaw(results);
    return { deadLetters };
  }
}
