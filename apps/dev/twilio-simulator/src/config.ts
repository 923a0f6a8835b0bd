import { port, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

/** The single account the simulator serves unless told otherwise (local test values, not secrets). */
export const DEFAULT_ACCOUNT_SID = 'AC5ea872f6da5a21de157d80997a64bd33';
export const DEFAULT_AUTH_TOKEN = '5d9a1f0c2b7e4a38c6f1e0d9b8a7c6e5';
export const DEFAULT_INBOUND_WEBHOOK_URL = 'http://127.0.0.1:3000/twilio/inbound';
export const DEFAULT_CALLBACK_DELAY_MS = 50;
export const DEFAULT_MAX_MESSAGES = 1_000_000;

export const SIMULATOR_CONFIG = {
  SIM_HOST: variable(z.string().min(1).default('127.0.0.1'), 'Address the simulator listens on'),
  SIM_PORT: variable(port(3999), 'Port the simulator listens on'),
  SIM_ACCOUNT_SID: variable(
    z
      .string()
      .regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 lowercase hex digits')
      .default(DEFAULT_ACCOUNT_SID),
    'SID of the one Twilio account the simulator serves (HTTP Basic username)',
  ),
  SIM_AUTH_TOKEN: variable(
    // Twilio's tokens are 32 hex digits; any token the services accept (16+ characters) will do.
    z.string().min(16).default(DEFAULT_AUTH_TOKEN),
    "That account's auth token: the HTTP Basic password, and the key webhooks are signed with",
    true,
  ),
  SIM_INBOUND_WEBHOOK_URL: variable(z.url({ protocol: /^https?$/ }).default(DEFAULT_INBOUND_WEBHOOK_URL), 'Where POST /sim/inbound delivers inbound-message webhooks'),
  SIM_CALLBACK_DELAY_MS: variable(
    z.coerce.number().int().min(0).max(600_000).default(DEFAULT_CALLBACK_DELAY_MS),
    'Delay before each status change of a sent message (queued, sent, delivered) and its status callback',
  ),
  SIM_MAX_MESSAGES: variable(positiveInt(DEFAULT_MAX_MESSAGES), 'Messages kept in memory; past this the oldest are forgotten'),
};

export type SimulatorConfig = ConfigValues<typeof SIMULATOR_CONFIG>;
