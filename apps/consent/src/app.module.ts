import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { DATABASE_AND_TENANTS_HEALTH, serviceImports, serviceKeys } from '@sms/tenancy/service';
import { AgeVerificationsController } from './age/age-verifications.controller.js';
import { AgeVerificationsRepository } from './age/age-verifications.repository.js';
import { CONSENT_CONFIG_TOKEN, type ConsentConfig } from './config.js';
import { ConsentCaptureService } from './consents/consent-capture.service.js';
import { ConsentCapturesConsumer } from './consents/consent-captures.consumer.js';
import { ConsentRecordsRepository } from './consents/consent-records.repository.js';
import { ConsentsController } from './consents/consents.controller.js';
import { consentDataSource } from './database/data-source.js';
import { ConsentDecisionsConsumer } from './decisions/consent-decisions.consumer.js';
import { MessageDecisionsRepository } from './decisions/message-decisions.repository.js';
import { RecipientFactsRepository } from './decisions/recipient-facts.repository.js';
import { InboundMessagesConsumer } from './inbound/inbound-messages.consumer.js';
import { InboundMessagesRepository } from './inbound/inbound-messages.repository.js';
import { OptEventsRepository } from './opt-outs/opt-events.repository.js';
import { OptOutRecorder } from './opt-outs/opt-out-recorder.js';
import { ProofRetention } from './opt-outs/proof-retention.js';
import { ProofRetentionRepository } from './opt-outs/proof-retention.repository.js';
import { StatusConsumer } from './opt-outs/status.consumer.js';
import { RelationshipsController } from './relationships/relationships.controller.js';
import { AdminOptOutReviewsController, OptOutReviewsController } from './reviews/opt-out-reviews.controller.js';
import { OptOutReviewService } from './reviews/opt-out-review.service.js';
import { OptOutReviewsRepository } from './reviews/opt-out-reviews.repository.js';
import { loadRuleData, RULE_DATA } from './rules/rule-data.js';

@Module({})
export class ConsentModule {
  static forRoot(config: ConsentConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ConsentModule,
      imports: serviceImports('consent', config, logger, () => consentDataSource(config.DATABASE_URL)),
      controllers: [
        HealthController,
        MetricsController,
        ConsentsController,
        RelationshipsController,
        AgeVerificationsController,
        OptOutReviewsController,
        AdminOptOutReviewsController,
        ConsentDecisionsConsumer,
        InboundMessagesConsumer,
        ConsentCapturesConsumer,
        StatusConsumer,
      ],
      providers: [
        { provide: CONSENT_CONFIG_TOKEN, useValue: config },
        ...serviceKeys(config),
        // Rule data is validated and loaded once at start-up: a broken file stops the service from starting.
        { provide: RULE_DATA, useFactory: loadRuleData },
        DATABASE_AND_TENANTS_HEALTH,
        RecipientFactsRepository,
        MessageDecisionsRepository,
        ConsentRecordsRepository,
        OptEventsRepository,
        ProofRetentionRepository,
        InboundMessagesRepository,
        OptOutReviewsRepository,
        AgeVerificationsRepository,
        ConsentCaptureService,
        OptOutRecorder,
        OptOutReviewService,
        ProofRetention,
      ],
    };
  }
}
