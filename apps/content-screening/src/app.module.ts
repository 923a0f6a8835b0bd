import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { TenancyModule, TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import type { ScreeningConfig } from './config.js';
import { compileRules } from './rules/compile.js';
import { loadRuleData } from './rules/rule-data.js';
import { COMPILED_RULES, ScreeningConsumer } from './screening/screening.consumer.js';

@Module({})
export class ContentScreeningModule {
  static forRoot(config: ScreeningConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ContentScreeningModule,
      imports: [KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'content-screening', log: logger.kafkaSink() }), TenancyModule.forRoot()],
      controllers: [HealthController, MetricsController, ScreeningConsumer],
      providers: [
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        // Rule data is validated and compiled once at start-up: broken rules stop the service from starting.
        { provide: COMPILED_RULES, useFactory: () => compileRules(loadRuleData()) },
        { provide: HEALTH_CHECKS, inject: [TenantDirectory], useFactory: (tenants: TenantDirectory) => [tenants.health()] },
      ],
    };
  }
}
