import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const DISPATCHER_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3004, 'the health endpoint'),
  TWILIO_ACCOUNT_SID: variable(z.string().regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits'), 'Twilio account SID'),
  TWILIO_AUTH_TOKEN: variable(z.string().min(16), 'Twilio auth token', true),
  TWILIO_API_BASE_URL: variable(
    z.url().optional(),
    "Where the Twilio SDK's requests go instead of Twilio's own address (the local simulator); unset in production",
  ),
  STATUS_CALLBACK_BASE_URL: variable(z.url(), "intake's public address: Twilio posts status callbacks to <this>/twilio/status"),
  MAX_CONCURRENT_SENDS: variable(positiveInt(16), 'Twilio API calls in flight at once from one dispatcher instance'),
  SEND_MAX_ATTEMPTS: variable(positiveInt(5), 'Attempts for a send that fails with a retryable error (429, 5xx, network)'),
  IN_DOUBT_AFTER_MS: variable(
    positiveInt(60_000),
    'A send recorded but not confirmed for this long is looked up at Twilio (after a crash), never simply sent again',
  ),
};

export type DispatcherConfig = ConfigValues<typeof DISPATCHER_CONFIG>;
export const DISPATCHER_CONFIG_TOKEN = Symbol('DISPATCHER_CONFIG');
