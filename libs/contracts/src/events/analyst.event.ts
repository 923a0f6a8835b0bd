import { z } from 'zod';
import { ClauseIdSchema } from '../policy/clauses.js';
import { MessageStatusSchema } from './status.event.js';
import { TenantIdSchema, TimestampSchema, UseCaseSchema } from './common.js';

/**
 * The analysts' view of the history, version 1 (AUP.DATA_SAFEGUARDS): every stage's
 * decision, every status change and every consent change, with the recipient and sender
 * pseudonymised by a keyed hash that is stable per tenant (so joins work) and no message body
 * or consent proof (categories and clause ids instead). Delivered at least once: deduplicate
 * on `eventId`.
 */
export const AnalystEventSchema = z.strictObject({
  schema: z.literal('audit.analyst'),
  version: z.literal(1),
  eventId: z.string().min(1).max(200),
  kind: z.enum(['decision', 'status', 'consent']),
  tenantId: TenantIdSchema,
  /** Keyed hash of the recipient, stable within the tenant. */
  recipient: z.string().min(8).max(64).nullable(),
  /** Keyed hash of the sender number or messaging service. */
  sender: z.string().min(8).max(64).nullable(),
  messageId: z.uuid().nullable(),
  stage: z.string().max(50).nullable(),
  decision: z.enum(['pass', 'transform', 'hold', 'block']).nullable(),
  clauses: z.array(ClauseIdSchema),
  /** Content categories the screening found (no text). */
  categories: z.array(z.string().max(50)),
  status: MessageStatusSchema.nullable(),
  errorCode: z.number().int().nullable(),
  /** For consent changes: consent_recorded, opted_out, opted_in, marketing_paused, age_verified. */
  consentChange: z.string().max(50).nullable(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable(),
  useCase: UseCaseSchema.nullable(),
  brand: z.string().max(100).nullable(),
  campaign: z.string().max(100).nullable(),
  at: TimestampSchema,
});
export type AnalystEvent = z.infer<typeof AnalystEventSchema>;
