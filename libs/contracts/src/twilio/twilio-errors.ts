import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ClauseIdSchema } from '../policy/clauses.js';

/**
 * What Twilio's error codes mean (`twilio-errors.v1.json`): which refusals are final and why,
 * which delivery errors leave a message undelivered, which pause sending for the account or a
 * sender, which only say "not now". The dispatcher acts on them; consent reads from them which
 * refusal means the person opted out.
 */

const SourceSchema = z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() });

/**
 * What an error about the account or a sender pauses, and how the pause ends: `recheck` after a
 * fixed wait, `backoff` after a wait that grows while it recurs, `operator` when an operator
 * clears it, `probe` when a harmless authenticated request succeeds again (credentials only).
 */
export const PauseRuleSchema = z
  .strictObject({
    scope: z.enum(['account', 'sender', 'credentials']),
    resume: z.enum(['recheck', 'backoff', 'operator', 'probe']),
    severity: z.enum(['warning', 'critical']),
    reason: z.string().min(1),
    clauses: z.array(ClauseIdSchema).min(1),
    source: z.string(),
  })
  .refine((r) => (r.scope === 'credentials') === (r.resume === 'probe'), 'credentials, and only they, resume by probe');
export type PauseRule = z.infer<typeof PauseRuleSchema>;

export const TwilioErrorsSchema = z
  .strictObject({
    version: z.string().min(1),
    description: z.string(),
    sources: z.array(SourceSchema).min(1),
    retryCodes: z.strictObject({ codes: z.array(z.number().int()), why: z.string(), source: z.string() }),
    /** Codes that a status callback reports as `failed` for a message Twilio never sent: sent again from the queue. */
    callbackRetryCodes: z.strictObject({ codes: z.array(z.number().int()), why: z.string(), source: z.string() }),
    codes: z.record(
      z.string().regex(/^\d+$/),
      z.strictObject({
        outcome: z.enum(['failed', 'undelivered']),
        reason: z.string().min(1),
        clauses: z.array(ClauseIdSchema).optional(),
        /** The person opted out of the sender: the refusal is their opt-out (MP.OPTOUT.HONOR). */
        optOut: z.boolean().optional(),
        alert: z.enum(['content_filtered']).optional(),
        source: z.string(),
      }),
    ),
    /** Codes about the account or a sender rather than the message: sending pauses for that scope and its messages wait. */
    pauses: z.strictObject({
      why: z.string(),
      codes: z.record(z.string().regex(/^\d+$/), PauseRuleSchema),
      source: z.string(),
    }),
  })
  .superRefine((data, ctx) => {
    // Every "source" a rule names must be listed, so that each meaning traces to where it came from.
    const ids = new Set(data.sources.map((s) => s.id));
    const missing = [...JSON.stringify(data).matchAll(/"source":"([^"]+)"/g)].map((m) => m[1]!).filter((id) => !ids.has(id));
    if (missing.length > 0) ctx.addIssue({ code: 'custom', message: `names sources it does not list: ${[...new Set(missing)].join(', ')}` });
  });
export type TwilioErrors = z.infer<typeof TwilioErrorsSchema>;

let table: TwilioErrors | undefined;

/** Twilio's error table, validated once when first needed (importing this library reads no file). */
export function twilioErrorTable(): TwilioErrors {
  table ??= TwilioErrorsSchema.parse(JSON.parse(readFileSync(new URL('./twilio-errors.v1.json', import.meta.url), 'utf8')));
  return table;
}

/** Whether a refusal with this error code means the person opted out of the sender (21610). */
export function twilioErrorMeansOptOut(code: number | null | undefined): boolean {
  return code !== null && code !== undefined && twilioErrorTable().codes[String(code)]?.optOut === true;
}
