import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, type JsonLogger } from '@sms/nest-runtime';
import { TenancyModule, TenantDirectory } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { DataSource } from 'typeorm';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from './config.js';
import { ConsentStateConsumer } from './consent-state/consent-state.consumer.js';
import { dispatcherDataSource } from './database/data-source.js';
import { DispatchRepository } from './database/dispatch.repository.js';
import { ClearedMessagesConsumer } from './dispatch/cleared-messages.consumer.js';
import { DispatchService } from './dispatch/dispatch.service.js';
import { SendReconciler } from './dispatch/send-reconciler.js';
import { TwilioGateway } from './twilio/twilio-gateway.js';

@Module({})
export class DispatcherModule {
  static forRoot(config: DispatcherConfig, logger: JsonLogger): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        DatabaseModule.forRoot(() => dispatcherDataSource(config.DATABASE_URL)),
        KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'dispatcher', log: logger.kafkaSink() }),
        TenancyModule.forRoot(),
      ],
      controllers: [HealthController, ClearedMessagesConsumer, ConsentStateConsumer],
      providers: [
        { provide: DISPATCHER_CONFIG_TOKEN, useValue: config },
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, TenantDirectory],
          useFactory: (db: DataSource, tenants: TenantDirectory) => [databaseHealth(db), tenants.health()],
        },
        DispatchRepository,
        DispatchService,
        SendReconciler,
        TwilioGateway,
      ],
    };
  }
}
