import { COMMON_VARIABLES, httpVariables, type ConfigValues } from '@sms/config';

export const SNOWSHOE_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3003, 'the health endpoint'),
};

export type SnowshoeConfig = ConfigValues<typeof SNOWSHOE_CONFIG>;
