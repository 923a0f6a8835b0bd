import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { AgeVerificationEntity } from './age-verification.entity.js';
import { ConsentRecordEntity } from './consent-record.entity.js';
import { InboundMessageEntity } from './inbound-message.entity.js';
import { MessageDecisionEntity, RecipientActivityEntity } from './message-decision.entity.js';
import { ConsentInitial1764270000000 } from './migrations/1764270000000-consent-initial.js';
import { ConsentOptOutsCapsAge1764290000000 } from './migrations/1764290000000-consent-opt-outs-caps-age.js';
import { OptEventEntity } from './opt-event.entity.js';
import { OptOutReviewEntity } from './opt-out-review.entity.js';

export const CONSENT_SCHEMA = 'consent';

export function consentDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: CONSENT_SCHEMA,
    applicationName: 'consent',
    entities: [ConsentRecordEntity, OptEventEntity, InboundMessageEntity, OptOutReviewEntity, MessageDecisionEntity, RecipientActivityEntity, AgeVerificationEntity],
    migrations: [ConsentInitial1764270000000, ConsentOptOutsCapsAge1764290000000],
  });
}
