import { createServiceDataSource } from '@sms/database';
import type { DataSource } from 'typeorm';
import { DecisionEntity } from '../decisions/decision.entity.js';
import { SnowshoeDecisions1766100000000 } from './migrations/1766100000000-snowshoe-decisions.js';

export const SNOWSHOE_SCHEMA = 'snowshoe';

export function snowshoeDataSource(url: string, poolSize?: number): DataSource {
  return createServiceDataSource({
    url,
    schema: SNOWSHOE_SCHEMA,
    applicationName: 'snowshoeing-detector',
    entities: [DecisionEntity],
    migrations: [SnowshoeDecisions1766100000000],
    ...(poolSize !== undefined ? { poolSize } : {}),
  });
}
