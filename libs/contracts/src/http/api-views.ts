import { z } from 'zod';
import { ClauseIdSchema } from '../policy/clauses.js';
import { E164Schema, MessageIdSchema, TimestampSchema } from '../events/common.js';
import { MessageStatusSchema } from '../events/status.event.js';

/** `202` answer of `POST /v1/messages`. */
export const AcceptedResponseSchema = z.strictObject({ id: MessageIdSchema, status: z.literal('accepted') });

/** Every HTTP error: RFC 9457 problem details, with where the input is wrong. */
export const ProblemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});

/** `GET /v1/messages/{id}` on audit. */
export const MessageHistoryViewSchema = z.strictObject({
  id: MessageIdSchema,
  status: MessageStatusSchema,
  twilioSid: z.string().optional(),
  decisions: z.array(
    z.strictObject({ stage: z.string(), decision: z.enum(['pass', 'transform', 'hold', 'block']), clauses: z.array(ClauseIdSchema), reason: z.string(), at: TimestampSchema }),
  ),
  statuses: z.array(z.strictObject({ status: MessageStatusSchema, at: TimestampSchema, source: z.string(), errorCode: z.number().int().optional() })),
});
export type MessageHistoryView = z.infer<typeof MessageHistoryViewSchema>;

/** `GET /v1/consents?to=&brand=` on consent. */
export const ConsentStateViewSchema = z.strictObject({
  to: E164Schema,
  brand: z.string().optional(),
  state: z.strictObject({ optedOut: z.boolean(), optedOutScopes: z.array(z.string()), consentRecords: z.number().int() }),
  records: z.array(
    z.strictObject({
      id: z.uuid(),
      brand: z.string(),
      campaign: z.string(),
      basis: z.enum(['express', 'prior_relationship']),
      source: z.string(),
      capturedAt: TimestampSchema,
      wording: z.string(),
      wordingHash: z.string(),
      wordingVersion: z.string().nullable(),
      evidence: z.record(z.string(), z.string()),
      channel: z.string(),
      recordedAt: TimestampSchema,
    }),
  ),
  optEvents: z.array(
    z.strictObject({
      id: z.uuid(),
      scope: z.string(),
      kind: z.enum(['opt_out', 'opt_in']),
      source: z.string(),
      keyword: z.string().nullable(),
      inboundTwilioSid: z.string().nullable(),
      at: TimestampSchema,
    }),
  ),
});
export type ConsentStateView = z.infer<typeof ConsentStateViewSchema>;
