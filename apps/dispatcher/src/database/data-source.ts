import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { ConsentStateEntity } from './consent-state.entity.js';
import { DispatcherInitial1764270000000 } from './migrations/1764270000000-dispatcher-initial.js';
import { SendEntity } from './send.entity.js';

export const DISPATCHER_SCHEMA = 'dispatcher';

export function dispatcherDataSource(url: string): DataSource {
  return createServiceDataSource({
    url,
    schema: DISPATCHER_SCHEMA,
    applicationName: 'dispatcher',
    entities: [SendEntity, ConsentStateEntity],
    migrations: [DispatcherInitial1764270000000],
  });
}
