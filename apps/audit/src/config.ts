import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const AUDIT_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3005, 'the audit API and the review console'),
  ANALYST_HASH_KEY: variable(z.string().min(16), "Secret key of the analysts' pseudonyms (recipients and senders on audit.analyst.v1): stable per tenant, useless outside", true),
  CANCEL_WAIT_MS: variable(
    positiveInt(10_000),
    "How long DELETE /v1/messages/{id} waits for the dispatcher's answer (cancelled, or 409 once handed to Twilio) before answering 202 (the answer then shows in the message's history)",
  ),
  ADMIN_API_KEY: variable(z.string().min(32), 'Key of the platform operator: enforcement (suspend, lift) and every tenant in the dashboard', true),
  CONSOLE_CONSENT_URL: variable(
    z.url().default('http://127.0.0.1:3001'),
    "The consent API's address as the review console's browsers reach it (opt-out reviews are shown and decided there); consent's CONSOLE_ORIGINS must name this console's origin",
  ),
};

export type AuditConfig = ConfigValues<typeof AUDIT_CONFIG>;
export const AUDIT_CONFIG_TOKEN = Symbol('AUDIT_CONFIG');
