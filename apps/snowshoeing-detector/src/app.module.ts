import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, type JsonLogger } from '@sms/nest-runtime';
import { TenancyModule, TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import type { SnowshoeConfig } from './config.js';
import { SnowshoeConsumer } from './detection/snowshoe.consumer.js';

@Module({})
export class SnowshoeingDetectorModule {
  static forRoot(config: SnowshoeConfig, logger: JsonLogger): DynamicModule {
    return {
      module: SnowshoeingDetectorModule,
      imports: [
        KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'snowshoeing-detector', log: logger.kafkaSink() }),
        TenancyModule.forRoot(),
      ],
      controllers: [HealthController, SnowshoeConsumer],
      providers: [
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        { provide: HEALTH_CHECKS, inject: [TenantDirectory], useFactory: (tenants: TenantDirectory) => [tenants.health()] },
      ],
    };
  }
}
