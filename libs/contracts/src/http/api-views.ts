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
  decisions: z.array(z.strictObject({ stage: z.string(), decision: z.enum(['pass', 'transform', 'hold', 'block']), clauses: z.array(ClauseIdSchema), reason: z.string(), at: TimestampSchema })),
  statuses: z.array(
    z.strictObject({
      status: MessageStatusSchema,
      at: TimestampSchema,
      source: z.string(),
      errorCode: z.number().int().optional(),
      /** Why the dispatcher chose it (a deferral: quiet hours, `sendAt`, pacing, a daily cap; a refusal's meaning), under which clauses. */
      reason: z.string().optional(),
      clauses: z.array(ClauseIdSchema).optional(),
      /** `scheduled`: when it will be sent. */
      scheduledFor: TimestampSchema.optional(),
      /** The dispatcher's answer to a cancel request: cancelled, or refused (too late), and who asked. */
      cancellation: z.enum(['cancelled', 'refused']).optional(),
      requestedBy: z.string().optional(),
    }),
  ),
  /** While the message is `scheduled`: when it will be sent, why, and under which clauses. */
  deferral: z.strictObject({ scheduledFor: TimestampSchema, reason: z.string(), clauses: z.array(ClauseIdSchema) }).optional(),
});
export type MessageHistoryView = z.infer<typeof MessageHistoryViewSchema>;

/** The answer of `DELETE /v1/messages/{id}` on audit: 200 `cancelled`, or 202 `cancel_requested` while the dispatcher has not answered. */
export const CancelResponseSchema = z.strictObject({
  id: MessageIdSchema,
  status: z.enum(['cancelled', 'cancel_requested']),
  requestId: z.uuid(),
  /** Who cancelled: "API key of tenant <id>", or "Kafka producer <name>". */
  requestedBy: z.string(),
  at: TimestampSchema,
});
export type CancelResponse = z.infer<typeof CancelResponseSchema>;

/** `GET /v1/consents?to=&brand=` on consent. */
export const ConsentStateViewSchema = z.strictObject({
  to: E164Schema,
  brand: z.string().optional(),
  state: z.strictObject({
    optedOut: z.boolean(),
    optedOutScopes: z.array(z.string()),
    /** An unclear reply paused marketing until a person decides (MP.OPTOUT.HONOR). */
    marketingPaused: z.boolean(),
    consentRecords: z.number().int(),
    verifiedAge: z.number().int().nullable(),
  }),
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
      kind: z.enum(['opt_out', 'opt_in', 'pause']),
      source: z.string(),
      keyword: z.string().nullable(),
      inboundTwilioSid: z.string().nullable(),
      /** Why an inbound reply was taken as an opt-out: the matched words and how sure. */
      evidence: z.string().nullable(),
      confidence: z.number().nullable(),
      at: TimestampSchema,
    }),
  ),
  /** The person's latest message to each tenant number: it opens a conversation window (MP.CONSENT.CONVERSATION). */
  conversations: z.array(z.strictObject({ sender: E164Schema, lastMessageAt: TimestampSchema })),
});

/**
 * Where the review of a held message stands. `cancelled`: withdrawn by its tenant or cancelled
 * while it waited; `superseded`: the dispatcher handed the message to Twilio, so no decision on
 * the hold can change what happened to it (a hold from a stage before the dispatcher that
 * contradicts an earlier pass, see audit's rules/history.ts).
 */
export const ReviewStatusSchema = z.enum(['pending', 'approved', 'rejected', 'cancelled', 'superseded']);
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;

/** An unclear reply waiting for a person to decide whether it was an opt-out. */
export const OptOutReviewSchema = z.strictObject({
  id: z.uuid(),
  tenantId: z.string(),
  status: z.enum(['pending', 'opted_out', 'not_opt_out']),
  scope: z.string(),
  body: z.string(),
  evidence: z.string().nullable(),
  confidence: z.number(),
  receivedAt: TimestampSchema,
  decidedBy: z.string().nullable(),
  decidedAt: TimestampSchema.nullable(),
});
export type OptOutReview = z.infer<typeof OptOutReviewSchema>;

/** The body of `POST /admin/v1/opt-out-reviews/{id}/decision` (the compliance reviewers'). */
export const OptOutReviewDecisionSchema = z.strictObject({
  decision: z.enum(['opted_out', 'not_opt_out']),
  /** The compliance reviewer, by name: recorded with the decision. */
  decidedBy: z.string().trim().min(1).max(200),
  note: z.string().max(1000).optional(),
});
export type OptOutReviewDecision = z.infer<typeof OptOutReviewDecisionSchema>;
export type ConsentStateView = z.infer<typeof ConsentStateViewSchema>;
