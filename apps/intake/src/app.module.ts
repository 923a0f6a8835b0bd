import { Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { DATABASE_AND_TENANTS_HEALTH, serviceImports, serviceKeys } from '@sms/tenancy/service';
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
      imports: serviceImports('intake', config, logger, () => intakeDataSource(config.DATABASE_URL)),
      controllers: [HealthController, MetricsController, MessagesController, TwilioWebhooksController, TenantsAdminController, SendRequestsConsumer, EnforcementConsumer],
      providers: [
        { provide: INTAKE_CONFIG_TOKEN, useValue: config },
        ...serviceKeys(config),
        DATABASE_AND_TENANTS_HEALTH,
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
      ],
    };
  }

  /** Twilio's status callbacks are answered by their own lean handler (no controller, guard or pipes per callback). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StatusCallbackHandler).forRoutes({ path: 'twilio/status', method: RequestMethod.POST });
  }
}
