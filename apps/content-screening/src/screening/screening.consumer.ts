import { Controller, Inject } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import { KafkaPublisher, routeSteps, withRecipientTokens, type BatchOutcome, type ConsumedRecord, type StageRoute } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import type { CompiledRules } from '../rules/compile.js';
import { screenBatch, type SecondStage } from '../rules/model/second-opinion.js';
import { COMPILED_RULES, SECOND_STAGE } from '../rules/rule-data.js';
import { factsFromEnvelope, verdictOf } from '../rules/screen-message.js';

const ROUTE: StageRoute = { next: 'screened' };

/** The content-screening stage: consented messages in, screened (possibly transformed) or stopped messages out. */
@Controller()
export class ScreeningConsumer {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(COMPILED_RULES) private readonly rules: CompiledRules,
    @Inject(SECOND_STAGE) private readonly second: SecondStage | undefined,
  ) {}

  @ConsumeTopic('consented')
  async onConsented(records: ConsumedRecord<MessageEnvelope>[]): Promise<BatchOutcome> {
    const now = new Date();
    const { keyed, deadLetters } = withRecipientTokens(records);
    // The encoder runs off the event loop, a few texts at a time; the batch waits for all of them.
    const results = await screenBatch(
      keyed.map(({ record: r }) => ({ body: r.value.message.body, facts: factsFromEnvelope(r.value, this.tenants.get(r.value.tenantId)) })),
      this.rules,
      this.second,
    );
    await this.publisher.publishRaw(
      routeSteps(
        ROUTE,
        keyed.map(({ record: r, recipientToken }, i) => ({ envelope: r.value, verdict: verdictOf(results[i]!, this.rules, now), recipientToken, context: r.context })),
      ),
    );
    return { deadLetters };
  }
}
