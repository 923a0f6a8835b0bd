import { Controller, Inject } from '@nestjs/common';
import { appendVerdict, type MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, record, type BatchOutcome, type ConsumedRecord } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { checkSenderPool, senderKey } from '../rules/sender-pool.js';

/** The snowshoeing stage: screened messages in, cleared (keyed by sender) or stopped out. */
@Controller()
export class SnowshoeConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  @ConsumeTopic('screened')
  async onScreened(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const now = new Date();
    await this.publisher.publishRaw(
      records.map((r) => {
        const verdict = checkSenderPool(r.value, this.tenants.get(r.value.tenantId), now);
        const next = appendVerdict(r.value, verdict);
        return verdict.decision === 'pass'
          ? record('cleared', senderKey(next), next, r.context)
          : record('stopped', this.pseudonyms.token(next.tenantId, next.message.to), next, r.context);
      }),
    );
    return {};
  }
}
