import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { AgeVerificationEntity } from '../age/age-verification.entity.js';
import { ConsentRecordEntity } from '../consents/consent-record.entity.js';
import { MessageDecisionEntity, RecipientActivityEntity } from '../decisions/message-decision.entity.js';
import { InboundMessageEntity } from '../inbound/inbound-message.entity.js';
import { OptEventEntity } from '../opt-outs/opt-event.entity.js';
import { OptOutReviewEntity } from '../reviews/opt-out-review.entity.js';
import { ConsentInitial1764270000000 } from './migrations/1764270000000-consent-initial.js';
import { ConsentOptOutsCapsAge1764290000000 } from './migrations/1764290000000-consent-opt-outs-caps-age.js';

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
