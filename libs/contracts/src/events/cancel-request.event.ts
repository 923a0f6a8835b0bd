import { z } from 'zod';
import { MessageIdSchema, TenantIdSchema, TimestampSchema } from './common.js';

/**
 * Who asked for a cancellation: a tenant through the HTTP API (`DELETE /v1/messages/{id}`, its
 * API key) or an upstream product on `sms.cancel-requests.v1` (the producer names itself).
 */
export const CancelRequesterSchema = z.strictObject({
  channel: z.enum(['http', 'kafka']),
  /** `http`: "API key of tenant <id>"; `kafka`: the producer, e.g. "booking-service". */
  name: z.string().trim().min(1).max(200),
});
export type CancelRequester = z.infer<typeof CancelRequesterSchema>;

/**
 * A request to stop a message that has not been handed to Twilio, from any stage it is in (in
 * the pipeline, held for review, scheduled or deferred at the dispatcher). The dispatcher's
 * ledger decides: cancelled (it is never sent) or refused (Twilio already has it), and
 * publishes the outcome on `sms.status.v1`. The request id makes a republished request harmless.
 */
export const CancelRequestEventSchema = z.strictObject({
  requestId: z.uuid(),
  messageId: MessageIdSchema,
  tenantId: TenantIdSchema,
  requestedBy: CancelRequesterSchema,
  reason: z.string().trim().min(1).max(500).optional(),
  at: TimestampSchema,
});
export type CancelRequestEvent = z.infer<typeof CancelRequestEventSchema>;

/** How a cancellation ended, as the dispatcher's ledger decided it. */
export const CancellationOutcomeSchema = z.strictObject({
  requestId: z.uuid(),
  requestedBy: CancelRequesterSchema,
  /** `cancelled`: never handed to Twilio, and now never will be; `refused`: too late (or not this tenant's). */
  outcome: z.enum(['cancelled', 'refused']),
});
export type CancellationOutcome = z.infer<typeof CancellationOutcomeSchema>;

/** How a requester reads in a message's history. */
export function requesterLabel(r: CancelRequester): string {
  return r.channel === 'http' ? r.name : `Kafka producer ${r.name}`;
}
