import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';

export const CONSENT_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3001, 'the consent API'),
  CONVERSATION_WINDOW_HOURS: variable(
    positiveInt(24),
    'How long after a person texts a tenant number replies need no other consent (MP.CONSENT.CONVERSATION)',
  ),
};

export type ConsentConfig = ConfigValues<typeof CONSENT_CONFIG>;
export const CONSENT_CONFIG_TOKEN = Symbol('CONSENT_CONFIG');
