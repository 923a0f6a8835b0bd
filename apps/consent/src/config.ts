import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const CONSENT_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3001, 'the consent API'),
  CONVERSATION_WINDOW_HOURS: variable(positiveInt(24), 'How long after a person texts a tenant number replies need no other consent (MP.CONSENT.CONVERSATION)'),
  PROOF_RETENTION_DAYS: variable(
    z.coerce.number().int().positive().optional(),
    'How long proof of consent and opt-outs is kept after the last message to the person (default from the rule data: 1825 days)',
  ),
  RETENTION_CHECK_HOURS: variable(positiveInt(24), 'How often expired proof and message history are removed'),
  ADMIN_API_KEY: variable(z.string().min(32), "Key of the platform operator: the compliance reviewers decide every tenant's opt-out reviews (a clinic never clears its own holds)", true),
  CONSOLE_ORIGINS: variable(
    z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o.length > 0),
      )
      .pipe(z.array(z.url()))
      // Browsers send an origin without path or trailing slash.
      .transform((urls) => urls.map((u) => new URL(u).origin)),
    "Origins (scheme://host:port, comma-separated) of the review console (audit's /console/) that browsers may call this API from: opt-out reviews are shown and decided there; empty: none",
  ),
};

export type ConsentConfig = ConfigValues<typeof CONSENT_CONFIG>;
export const CONSENT_CONFIG_TOKEN = Symbol('CONSENT_CONFIG');
