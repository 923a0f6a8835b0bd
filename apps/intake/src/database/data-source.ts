import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { AcceptedMessageEntity } from './accepted-message.entity.js';
import { IntakeInitial1764270000000 } from './migrations/1764270000000-intake-initial.js';
import { IntakeWebhookReceipts1764310000000 } from './migrations/1764310000000-intake-webhook-receipts.js';
import { ApiKeyEntity, TenantEntity } from './tenant.entity.js';
import { WebhookReceiptEntity } from './webhook-receipt.entity.js';

export const INTAKE_SCHEMA = 'intake';

export function intakeDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: INTAKE_SCHEMA,
    applicationName: 'intake',
    entities: [AcceptedMessageEntity, TenantEntity, ApiKeyEntity, WebhookReceiptEntity],
    migrations: [IntakeInitial1764270000000, IntakeWebhookReceipts1764310000000],
  });
}
