import { Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { Pseudonymizer } from '@sms/domain';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { ADMIN_API_KEY, AdminKeyGuard, TenancyModule, TenantDirectory } from '@sms/tenancy';
import { DataSource } from 'typeorm';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from './config.js';
import { intakeDataSource } from './database/data-source.js';
import { AcceptedMessageRepository } from './messages/accepted-message.repository.js';
import { InboundOutboxRepository } from './webhooks/inbound-outbox.repository.js';
import { InboundReconciler } from './webhooks/inbound-reconciler.js';
import { InboundOutbox } from './webhooks/inbound-outbox.service.js';
import { MessageIntakeService } from './messages/message-intake.service.js';
import { MessagesController } from './messages/messages.controller.js';
import { OutboxClaims } from './messages/outbox-claims.js';
import { OutboxRelay } from './messages/outbox-relay.js';
import { SendRequestsConsumer } from './messages/send-requests.consumer.js';
import { EnforcementConsumer } from './tenants/enforcement.consumer.js';
import { TenantRegistry } from './tenants/tenant-registry.js';
import { TenantsAdminController } from './admin/tenants-admin.controller.js';
import { TenantRateLimitGuard } from './limits/tenant-rate-limiter.js';
import { WebhookReceipts } from './webhooks/webhook-receipts.repository.js';
import { StatusCallbackHandler } from './webhooks/status-callback.handler.js';
import { WebhookReplayGuard } from './webhooks/webhook-replay.guard.js';
import { TwilioSignatureGuard } from './webhooks/twilio-signature.guard.js';
import { TwilioWebhooksController } from './webhooks/twilio-webhooks.controller.js';

@Module({})
export class IntakeModule implements NestModule {
  static forRoot(config: IntakeConfig, logger: JsonLogger): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        DatabaseModule.forRoot(() => intakeDataSource(config.DATABASE_URL)),
        KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'intake', log: logger.kafkaSink() }),
        TenancyModule.forRoot(),
      ],
      controllers: [HealthController, MetricsController, MessagesController, TwilioWebhooksController, TenantsAdminController, SendRequestsConsumer, EnforcementConsumer],
      providers: [
        { provide: INTAKE_CONFIG_TOKEN, useValue: config },
        { provide: ADMIN_API_KEY, useValue: config.ADMIN_API_KEY },
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, TenantDirectory],
          useFactory: (db: DataSource, tenants: TenantDirectory) => [databaseHealth(db), tenants.health()],
        },
        AcceptedMessageRepository,
        InboundOutboxRepository,
        InboundOutbox,
        InboundReconciler,
        MessageIntakeService,
        OutboxClaims,
        OutboxRelay,
        TenantRegistry,
        TwilioSignatureGuard,
        TenantRateLimitGuard,
        WebhookReplayGuard,
        WebhookReceipts,
        AdminKeyGuard,
      ],
    };
  }

  /** Twilio's status callbacks are answered by their own lean handler (no controller, guard or pipes per callback). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StatusCallbackHandler).forRoutes({ path: 'twilio/status', method: RequestMethod.POST });
  }
}
