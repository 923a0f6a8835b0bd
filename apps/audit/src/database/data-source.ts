import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { ChainHeadEntity, ConsentEventEntity, TenantEventEntity } from '../history/chain-records.entity.js';
import { MessageEventEntity } from '../history/message-event.entity.js';
import { HeldMessageEntity } from '../reviews/held-message.entity.js';
import { AuditInitial1764270000000 } from './migrations/1764270000000-audit-initial.js';
import { AuditChainConsentReviews1764300000000 } from './migrations/1764300000000-audit-chain-consent-reviews.js';
import { AuditChainPositionKey1765130000000 } from './migrations/1765130000000-audit-chain-position-key.js';

export const AUDIT_SCHEMA = 'audit';

export function auditDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: AUDIT_SCHEMA,
    applicationName: 'audit',
    entities: [MessageEventEntity, ChainHeadEntity, ConsentEventEntity, TenantEventEntity, HeldMessageEntity],
    migrations: [AuditInitial1764270000000, AuditChainConsentReviews1764300000000, AuditChainPositionKey1765130000000],
  });
}
