import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, type JsonLogger } from '@sms/nest-runtime';
import { TenancyModule, TenantDirectory } from '@sms/tenancy';
import { DataSource } from 'typeorm';
import type { AuditConfig } from './config.js';
import { auditDataSource } from './database/data-source.js';
import { HistoryRepository } from './database/history.repository.js';
import { HistoryConsumer } from './history/history.consumer.js';
import { MessagesController } from './history/messages.controller.js';

@Module({})
export class AuditModule {
  static forRoot(config: AuditConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        DatabaseModule.forRoot(() => auditDataSource(config.DATABASE_URL)),
        KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'audit', log: logger.kafkaSink() }),
        TenancyModule.forRoot(),
      ],
      controllers: [HealthController, MessagesController, HistoryConsumer],
      providers: [
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, TenantDirectory],
          useFactory: (db: DataSource, tenants: TenantDirectory) => [databaseHealth(db), tenants.health()],
        },
        HistoryRepository,
      ],
    };
  }
}
