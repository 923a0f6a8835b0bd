import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const SNOWSHOE_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3003, 'the health, clusters and metrics endpoints'),
  ADMIN_API_KEY: variable(z.string().min(32), "Key of the platform operator: the clusters view, which names every tenant's sender numbers", true),
  REDIS_URL: variable(z.url().default('redis://127.0.0.1:6379'), 'Redis holding the content-cluster index and windows, shared by every instance', true),
  SNOWSHOE_REDIS_PREFIX: variable(
    z.string().min(1).max(100).default('snowshoe:'),
    "Prefix of the detector's Redis keys; the Kafka cluster id is appended, so a fresh broker starts fresh state. Tests set their own to stay apart",
  ),
  SNOWSHOE_DECISION_TTL_MS: variable(positiveInt(3_600_000), 'How long a verdict is remembered so that a redelivered message gets the same one (ms)'),
};

export type SnowshoeConfig = ConfigValues<typeof SNOWSHOE_CONFIG>;
