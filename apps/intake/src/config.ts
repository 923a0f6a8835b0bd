import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const INTAKE_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3000, 'the HTTP API and the Twilio webhooks'),
  INTAKE_PUBLIC_URL: variable(z.url().default('http://127.0.0.1:3000'), 'The address Twilio calls the webhooks at; webhook signatures are computed over it'),
  TWILIO_AUTH_TOKEN: variable(z.string().min(16), 'Auth token of the Twilio account, to verify X-Twilio-Signature', true),
  TWILIO_ACCOUNT_SID: variable(
    z
      .string()
      .regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits')
      .optional(),
    'Twilio account SID, for the inbound reconciler to list inbound messages a failed webhook missed; unset: no reconciler',
  ),
  TWILIO_API_BASE_URL: variable(z.url().optional(), "Where the inbound reconciler's Twilio SDK requests go instead of Twilio's own address (the local simulator); unset in production"),
  INBOUND_RECONCILE_MS: variable(
    positiveInt(60_000),
    'How often intake lists the inbound messages of every tenant number at Twilio and records those its webhook missed (Twilio does not retry a failed inbound webhook); also once at start',
  ),
  INBOUND_RECONCILE_GRACE_MS: variable(
    positiveInt(20_000),
    "How old an inbound message must be before the reconciler records it: younger ones are left to their webhook (still in flight; Twilio waits up to 15 s for an answer), which carries what the Message resource lacks (Advanced Opt-Out's OptOutType)",
  ),
  INBOUND_RECONCILE_OVERLAP_MS: variable(
    positiveInt(600_000),
    'How far before the last completed reconciliation the next one lists (messages Twilio dated earlier, clock skew); also how far back the first one ever looks',
  ),
  ADMIN_API_KEY: variable(z.string().min(32), 'Key of the platform operator for the tenant admin API', true),
  REDIS_URL: variable(z.url().default('redis://127.0.0.1:6379'), 'Redis shared by intake instances for per-tenant rate limits', true),
  RATE_LIMIT_PER_SECOND: variable(positiveInt(1000), 'Messages per second one tenant may send over HTTP (a tenant setting may raise or lower it)'),
  WEBHOOK_REPLAY_WINDOW_HOURS: variable(positiveInt(72), 'How long an inbound-message webhook is remembered, so that a replay of it is refused'),
  OUTBOX_RELAY_INTERVAL_MS: variable(positiveInt(2000), 'How often the relay looks for outbox messages whose publishing instance is gone'),
  OUTBOX_CLAIM_LEASE_MS: variable(
    positiveInt(15000),
    "How long an intake instance counts as alive after it last renewed its claim on the outbox messages it publishes (it renews every quarter of this); after that, another instance's relay publishes them",
  ),
};

export type IntakeConfig = ConfigValues<typeof INTAKE_CONFIG>;
export const INTAKE_CONFIG_TOKEN = Symbol('INTAKE_CONFIG');
