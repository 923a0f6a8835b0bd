import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { Pseudonymizer } from '@sms/domain';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { ADMIN_API_KEY, AdminKeyGuard, TenancyModule, TenantDirectory } from '@sms/tenancy';
import { DataSource } from 'typeorm';
import { AnalystStream } from './analyst/analyst-stream.js';
import { AUDIT_CONFIG_TOKEN, type AuditConfig } from './config.js';
import { auditDataSource } from './database/data-source.js';
import { EnforcementController } from './enforcement/enforcement.controller.js';
import { EnforcementService } from './enforcement/enforcement.service.js';
import { HistoryConsumer } from './history/history.consumer.js';
import { HistoryRepository } from './history/history.repository.js';
import { MessagesController } from './history/messages.controller.js';
import { ProofController } from './proof/proof.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { ReportsRepository } from './reports/reports.repository.js';
import { HeldMessagesRepository } from './reviews/held-messages.repository.js';
import { HeldQueueMetric } from './reviews/held-queue.metric.js';
import { AdminReviewsController, ReviewsController } from './reviews/reviews.controller.js';
import { ConsoleSettingsController } from './reviews/console-settings.controller.js';
import { ReviewService } from './reviews/review.service.js';
import { CancelService } from './cancellation/cancel.service.js';
import { loadRuleData, RULE_DATA } from './rules/rule-data.js';

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
      controllers: [
        HealthController,
        MetricsController,
        MessagesController,
        ReviewsController,
        AdminReviewsController,
        ReportsController,
        ProofController,
        EnforcementController,
        ConsoleSettingsController,
        HistoryConsumer,
      ],
      providers: [
        { provide: AUDIT_CONFIG_TOKEN, useValue: config },
        { provide: ADMIN_API_KEY, useValue: config.ADMIN_API_KEY },
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        // Rule data is validated and loaded once at start-up: a broken file stops the service from starting.
        { provide: RULE_DATA, useFactory: loadRuleData },
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, TenantDirectory],
          useFactory: (db: DataSource, tenants: TenantDirectory) => [databaseHealth(db), tenants.health()],
        },
        AdminKeyGuard,
        AnalystStream,
        CancelService,
        EnforcementService,
        HeldMessagesRepository,
        HeldQueueMetric,
        HistoryRepository,
        ReportsRepository,
        ReviewService,
      ],
    };
  }
}
