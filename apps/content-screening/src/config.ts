import { COMMON_VARIABLES, httpVariables, type ConfigValues } from '@sms/config';

export const SCREENING_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3002, 'the health endpoint'),
};

export type ScreeningConfig = ConfigValues<typeof SCREENING_CONFIG>;
