import { z } from 'zod';
import { MessageIdSchema, TenantIdSchema, TimestampSchema } from './common.js';

/**
 * Intake's answer to one send request of `sms.send-requests.v1`: the Kafka twin of the HTTP
 * API's 202 or 4xx. The message id is the one `messageIdFor(tenantId, idempotencyKey)` gives,
 * so a producer can also compute it before the answer comes; a request republished with the same
 * key gets the same answer. A refused request also goes to `sms.dead-letter.v1` with its bytes.
 */
export const SendResultEventSchema = z.strictObject({
  tenantId: TenantIdSchema,
  idempotencyKey: z.string().min(1).max(200),
  messageId: MessageIdSchema,
  /** `accepted`: in the pipeline (its statuses follow on `sms.status.v1`); `refused`: never sent. */
  outcome: z.enum(['accepted', 'refused']),
  /** Why it was refused, naming the field ("to: ..."), as the dead letter says. */
  reason: z.string().min(1).max(2000).optional(),
  at: TimestampSchema,
});
export type SendResultEvent = z.infer<typeof SendResultEventSchema>;
