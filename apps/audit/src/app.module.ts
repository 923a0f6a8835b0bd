import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { DATABASE_AND_TENANTS_HEALTH, serviceImports, serviceKeys } from '@sms/tenancy/service';
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
      imports: serviceImports('audit', config, logger, () => auditDataSource(config.DATABASE_URL)),
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
        ...serviceKeys(config),
        // Rule data is validated and loaded once at start-up: a broken file stops the service from starting.
        { provide: RULE_DATA, useFactory: loadRuleData },
        DATABASE_AND_TENANTS_HEALTH,
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
