import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@sms/nest-kafka';
import { HealthController, type JsonLogger } from '@sms/nest-runtime';
import { Pseudonymizer } from '@sms/util';
import type { ScreeningConfig } from './config.js';
import { loadContentRules } from './rules/content-rules.js';
import { compileRules } from './rules/screen-message.js';
import { COMPILED_RULES, ScreeningConsumer } from './screening/screening.consumer.js';

@Module({})
export class ContentScreeningModule {
  static forRoot(config: ScreeningConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ContentScreeningModule,
      imports: [KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'content-screening', log: logger.kafkaSink() })],
      controllers: [HealthController, ScreeningConsumer],
      providers: [
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        { provide: COMPILED_RULES, useFactory: () => compileRules(loadContentRules()) },
      ],
    };
  }
}
