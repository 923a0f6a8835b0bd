import { createServiceDataSource, OutboxInstanceEntity } from '@sms/database';
import type { DataSource } from 'typeorm';
import { CancellationEntity } from '../cancellation/cancellation.entity.js';
import { ConsentStateEntity } from '../consent-state/consent-state.entity.js';
import { DailySegmentsEntity } from '../dispatch/daily-segments.entity.js';
import { OutboxEntity } from '../dispatch/outbox.entity.js';
import { RateBucketEntity } from '../dispatch/rate-bucket.entity.js';
import { SendPauseEntity } from '../dispatch/send-pause.entity.js';
import { SendQueueEntity } from '../dispatch/send-queue.entity.js';
import { SendEntity, SendEnvelopeEntity, SendInstanceEntity } from '../dispatch/send.entity.js';
import { DispatcherInitial1764270000000 } from './migrations/1764270000000-dispatcher-initial.js';
import { DispatcherQueue1764300000000 } from './migrations/1764300000000-dispatcher-queue.js';
import { DispatcherDeliveryCheck1764400000000 } from './migrations/1764400000000-dispatcher-delivery-check.js';
import { DispatcherUniqueSid1764500000000 } from './migrations/1764500000000-dispatcher-unique-sid.js';
import { DispatcherPauses1764600000000 } from './migrations/1764600000000-dispatcher-pauses.js';
import { DispatcherCancellations1765000000000 } from './migrations/1765000000000-dispatcher-cancellations.js';
import { DispatcherOutbox1765500000000 } from './migrations/1765500000000-dispatcher-outbox.js';
import { DispatcherMarketingPause1766000000000 } from './migrations/1766000000000-dispatcher-marketing-pause.js';
import { DispatcherNarrowLedger1767000000000 } from './migrations/1767000000000-dispatcher-narrow-ledger.js';

export const DISPATCHER_SCHEMA = 'dispatcher';

export function dispatcherDataSource(url: string, poolSize?: number): DataSource {
  return createServiceDataSource({
    url,
    schema: DISPATCHER_SCHEMA,
    applicationName: 'dispatcher',
    entities: [
      SendEntity,
      SendEnvelopeEntity,
      SendInstanceEntity,
      ConsentStateEntity,
      SendQueueEntity,
      RateBucketEntity,
      DailySegmentsEntity,
      SendPauseEntity,
      CancellationEntity,
      OutboxEntity,
      OutboxInstanceEntity,
    ],
    migrations: [
      DispatcherInitial1764270000000,
      DispatcherQueue1764300000000,
      DispatcherDeliveryCheck1764400000000,
      DispatcherUniqueSid1764500000000,
      DispatcherPauses1764600000000,
      DispatcherCancellations1765000000000,
      DispatcherOutbox1765500000000,
      DispatcherMarketingPause1766000000000,
      DispatcherNarrowLedger1767000000000,
    ],
    ...(poolSize !== undefined ? { poolSize } : {}),
  });
}
