import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { MessageEventEntity } from './message-event.entity.js';
import { AuditInitial1764270000000 } from './migrations/1764270000000-audit-initial.js';

export const AUDIT_SCHEMA = 'audit';

export function auditDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: AUDIT_SCHEMA,
    applicationName: 'audit',
    entities: [MessageEventEntity],
    migrations: [AuditInitial1764270000000],
  });
}
