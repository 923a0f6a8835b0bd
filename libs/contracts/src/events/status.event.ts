import { z } from 'zod';
import { ClauseIdSchema } from '../policy/clauses.js';
import { CancellationOutcomeSchema } from './cancel-request.event.js';
import { MessageIdSchema, TenantIdSchema, TimestampSchema } from './common.js';

/** Every state a message can be in, as audit reports it. */
export const MessageStatusSchema = z.enum(['accepted', 'blocked', 'held', 'scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

/**
 * The order in which states follow each other; a late or out-of-order event never moves a
 * message backwards. Terminal states share the highest rank.
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  accepted: 0,
  scheduled: 1,
  held: 1,
  sending: 2,
  sent: 3,
  blocked: 4,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  cancelled: 4,
};

/** The states Twilio reports after it took a message. */
export type DeliveryStatus = Extract<MessageStatus, 'sent' | 'delivered' | 'undelivered' | 'failed'>;

/**
 * Twilio's message status as ours, from a status callback or a lookup; null for queued,
 * accepted, sending and scheduled, which come before "sent" and are already covered by our
 * own "sending".
 */
export function statusFromTwilio(twilioStatus: string): DeliveryStatus | null {
  switch (twilioStatus) {
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

/** A change of delivery state, from the dispatcher or from a Twilio status callback. */
export const StatusEventSchema = z.strictObject({
  messageId: MessageIdSchema,
  tenantId: TenantIdSchema,
  status: MessageStatusSchema,
  /** `twilio-lookup`: Twilio's status read by the dispatcher because its callback did not come. */
  source: z.enum(['dispatcher', 'twilio-callback', 'twilio-lookup']),
  twilioSid: z.string().min(2).max(64).optional(),
  errorCode: z.number().int().optional(),
  errorMessage: z.string().max(500).optional(),
  /** `scheduled`: when the message will be sent (quiet hours, sendAt, a daily cap). */
  scheduledFor: TimestampSchema.optional(),
  /** Why the dispatcher chose this status (a deferral, a refusal's meaning), and under which clauses. */
  reason: z.string().max(500).optional(),
  clauses: z.array(ClauseIdSchema).optional(),
  /**
   * The dispatcher's answer to a cancel request (`sms.cancel-requests.v1`): with status
   * `cancelled` when it cancelled the message; when it refused, the status the ledger holds
   * (`sending` once handed to Twilio, `failed`, `blocked`).
   */
  cancellation: CancellationOutcomeSchema.optional(),
  at: TimestampSchema,
});
export type StatusEvent = z.infer<typeof StatusEventSchema>;
