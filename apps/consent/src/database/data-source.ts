import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { ConsentRecordEntity } from './consent-record.entity.js';
import { InboundMessageEntity } from './inbound-message.entity.js';
import { ConsentInitial1764270000000 } from './migrations/1764270000000-consent-initial.js';
import { OptEventEntity } from './opt-event.entity.js';

export const CONSENT_SCHEMA = 'consent';

export function consentDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: CONSENT_SCHEMA,
    applicationName: 'consent',
    entities: [ConsentRecordEntity, OptEventEntity, InboundMessageEntity],
    migrations: [ConsentInitial1764270000000],
  });
}
