import { createServiceDataSource, OutboxInstanceEntity } from '@sms/database';
import type { DataSource } from 'typeorm';
import { AcceptedMessageEntity } from '../messages/accepted-message.entity.js';
import { InboundMessageEntity } from '../webhooks/inbound-message.entity.js';
import { InboundReconcileStateEntity } from '../webhooks/inbound-reconcile-state.entity.js';
import { IntakeInitial1764270000000 } from './migrations/1764270000000-intake-initial.js';
import { IntakeWebhookReceipts1764310000000 } from './migrations/1764310000000-intake-webhook-receipts.js';
import { IntakeInboundOutbox1764950000000 } from './migrations/1764950000000-intake-inbound-outbox.js';
import { IntakeOutboxClaims1765400000000 } from './migrations/1765400000000-intake-outbox-claims.js';
import { IntakeInboundReconcile1766000000000 } from './migrations/1766000000000-intake-inbound-reconcile.js';
import { ApiKeyEntity, TenantEntity } from '../tenants/tenant.entity.js';
import { WebhookReceiptEntity } from '../webhooks/webhook-receipt.entity.js';

export const INTAKE_SCHEMA = 'intake';

export function intakeDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: INTAKE_SCHEMA,
    applicationName: 'intake',
    entities: [AcceptedMessageEntity, TenantEntity, ApiKeyEntity, WebhookReceiptEntity, InboundMessageEntity, OutboxInstanceEntity, InboundReconcileStateEntity],
    migrations: [IntakeInitial1764270000000, IntakeWebhookReceipts1764310000000, IntakeInboundOutbox1764950000000, IntakeOutboxClaims1765400000000, IntakeInboundReconcile1766000000000],
  });
}
