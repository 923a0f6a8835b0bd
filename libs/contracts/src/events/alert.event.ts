import { z } from 'zod';
import { ClauseIdSchema } from '../policy/clauses.js';
import { MessageIdSchema, TenantIdSchema, TimestampSchema } from './common.js';

/**
 * Something operators must see as it happens (MP.ENFORCEMENT): a carrier filtered a tenant's
 * content, a brand reached a carrier's daily cap, sending paused for a tenant's sender or for
 * the whole Twilio account (then every tenant with messages waiting is told). Never a
 * recipient's number or a body in clear (`sender` is the tenant's own number or service).
 */
export const AlertEventSchema = z.strictObject({
  /** Stable for one occurrence, so that a redelivered alert can be recognised. */
  alertId: z.string().min(1).max(200),
  tenantId: TenantIdSchema,
  kind: z.enum(['content_filtered', 'daily_cap_reached', 'sending_paused']),
  severity: z.enum(['warning', 'critical']),
  clauses: z.array(ClauseIdSchema).min(1),
  reason: z.string().min(1).max(1000),
  messageId: MessageIdSchema.optional(),
  twilioSid: z.string().min(2).max(64).optional(),
  errorCode: z.number().int().optional(),
  brand: z.string().max(100).optional(),
  /** `sending_paused` of one sender: its number, short code or messaging service. */
  sender: z.string().min(1).max(64).optional(),
  /** `sending_paused`: when sending resumes by itself; absent when an operator must clear the pause (or credentials must work again). */
  pausedUntil: TimestampSchema.optional(),
  at: TimestampSchema,
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
