import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { TenancyModule, TenantDirectory } from '@sms/tenancy';
import type { ScreeningConfig } from './config.js';
import { compileRules } from './rules/compile.js';
import { loadSecondStage, type SecondStage } from './rules/model/second-opinion.js';
import { COMPILED_RULES, loadRuleData, RULE_DATA, SECOND_STAGE, type RuleData } from './rules/rule-data.js';
import { ScreeningConsumer } from './screening/screening.consumer.js';

@Module({})
export class ContentScreeningModule {
  static forRoot(config: ScreeningConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ContentScreeningModule,
      imports: [KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'content-screening', log: logger.kafkaSink() }), TenancyModule.forRoot()],
      controllers: [HealthController, MetricsController, ScreeningConsumer],
      providers: [
        // Rule data and the encoder are validated and loaded once at start-up: a broken file stops the service from starting.
        { provide: RULE_DATA, useFactory: loadRuleData },
        { provide: COMPILED_RULES, inject: [RULE_DATA], useFactory: (data: RuleData) => compileRules(data) },
        {
          provide: SECOND_STAGE,
          useFactory: async (): Promise<SecondStage | undefined> =>
            config.SCREENING_ENCODER === 'off'
              ? undefined
              : await loadSecondStage({ concurrency: config.SCREENING_ENCODER_CONCURRENCY, maxQueue: config.SCREENING_ENCODER_QUEUE, cachedTexts: config.SCREENING_ENCODER_CACHE }),
        },
        { provide: HEALTH_CHECKS, inject: [TenantDirectory], useFactory: (tenants: TenantDirectory) => [tenants.health()] },
      ],
    };
  }
}
