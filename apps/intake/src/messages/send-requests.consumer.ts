import { Controller, Inject } from '@nestjs/common';
import { type SendRequestEvent } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord, DeadLetter } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { MessageIntakeService } from './message-intake.service.js';

/** Send requests that upstream products publish on Kafka instead of calling the HTTP API. */
@Controller()
export class SendRequestsConsumer {
  constructor(
    @Inject(MessageIntakeService) private readonly intake: MessageIntakeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  @ConsumeTopic('sendRequests')
  async onSendRequests(records: ConsumedRecord<SendRequestEvent>[]): Promise<BatchOutcome> {
    const deadLetters: DeadLetter[] = [];
    await Promise.all(
      records.map(async (record) => {
        const { tenantId, idempotencyKey, ...request } = record.value;
        const tenant = this.tenants.get(tenantId);
        if (!tenant || tenant.status !== 'active') {
          deadLetters.push({ record, error: new Error(`tenantId: tenant "${tenantId}" is ${tenant ? 'suspended' : 'unknown'}`) });
          return;
        }
        const outcome = await this.intake.accept(tenant, request, { channel: 'kafka', idempotencyKey, parent: record.context });
        if (outcome.kind === 'invalid') {
          deadLetters.push({ record, error: new Error(outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ')) });
        } else if (outcome.kind === 'suspended') {
          deadLetters.push({ record, error: new Error(`campaign: ${outcome.campaign} is suspended (MP.ENFORCEMENT): ${outcome.reason}`) });
        } else if (outcome.kind === 'idempotency-conflict') {
          deadLetters.push({ record, error: new Error(`idempotencyKey: already used for message ${outcome.existingId} with a different request`) });
        }
      }),
    );
    return { deadLetters };
  }
}
