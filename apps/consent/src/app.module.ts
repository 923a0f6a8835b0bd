import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, type JsonLogger } from '@sms/nest-runtime';
import { TenancyModule, TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { DataSource } from 'typeorm';
import { CONSENT_CONFIG_TOKEN, type ConsentConfig } from './config.js';
import { ConsentCaptureService } from './consents/consent-capture.service.js';
import { ConsentCapturesConsumer } from './consents/consent-captures.consumer.js';
import { ConsentsController } from './consents/consents.controller.js';
import { ConsentRepository } from './database/consent.repository.js';
import { consentDataSource } from './database/data-source.js';
import { ConsentDecisionsConsumer } from './decisions/consent-decisions.consumer.js';
import { InboundMessagesConsumer } from './inbound/inbound-messages.consumer.js';

@Module({})
export class ConsentModule {
  static forRoot(config: ConsentConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ConsentModule,
      imports: [
        DatabaseModule.forRoot(() => consentDataSource(config.DATABASE_URL)),
        KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'consent', log: logger.kafkaSink() }),
        TenancyModule.forRoot(),
      ],
      controllers: [HealthController, ConsentsController, ConsentDecisionsConsumer, InboundMessagesConsumer, ConsentCapturesConsumer],
      providers: [
        { provide: CONSENT_CONFIG_TOKEN, useValue: config },
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, TenantDirectory],
          useFactory: (db: DataSource, tenants: TenantDirectory) => [databaseHealth(db), tenants.health()],
        },
        ConsentRepository,
        ConsentCaptureService,
      ],
    };
  }
}
