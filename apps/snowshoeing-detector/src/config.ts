import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { TOPICS } from '@sms/contracts';
import { z } from 'zod';

const DAY = 86_400_000;

/**
 * How long after its first decision a message can still come back to the detector: the longest
 * retention of the topics on its way here (a consumer group reset or a replay of any of them
 * brings it back with the same id and verdicts). Verdicts are kept well beyond it.
 */
export const REDELIVERY_WINDOW_MS = Math.max(...[TOPICS.accepted, TOPICS.consented, TOPICS.screened, TOPICS.snowshoeClustered].map((t) => t.retentionMs ?? Infinity));

export const SNOWSHOE_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3003, 'the health, clusters and metrics endpoints'),
  ADMIN_API_KEY: variable(z.string().min(32), "Key of the platform operator: the clusters view, which names every tenant's sender numbers", true),
  REDIS_URL: variable(z.url().default('redis://127.0.0.1:6379'), 'Redis holding the content-cluster index and windows, shared by every instance', true),
  SNOWSHOE_REDIS_PREFIX: variable(
    z.string().min(1).max(100).default('snowshoe:'),
    "Prefix of the detector's Redis keys; the Kafka cluster id is appended, so a fresh broker starts fresh state. Tests set their own to stay apart",
  ),
  SNOWSHOE_DECISION_RETENTION_MS: variable(
    positiveInt(30 * DAY).refine((ms) => ms > REDELIVERY_WINDOW_MS, `must be longer than ${REDELIVERY_WINDOW_MS / DAY} days, the longest a message can come back`),
    `How long the verdict given to each message is kept in PostgreSQL (ms): a message that comes back within it (a redelivery, a replay of the topics before the detector, kept ${REDELIVERY_WINDOW_MS / DAY} days) gets the same verdict again`,
  ),
  SNOWSHOE_DECISION_PRUNE_INTERVAL_MS: variable(positiveInt(60_000), 'How often verdicts older than SNOWSHOE_DECISION_RETENTION_MS are deleted (ms)'),
};

export type SnowshoeConfig = ConfigValues<typeof SNOWSHOE_CONFIG>;
