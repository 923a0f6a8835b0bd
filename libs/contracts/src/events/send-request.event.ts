import { z } from 'zod';
import {
  BodySchema,
  MessagingServiceSidSchema,
  NameSchema,
  TenantIdSchema,
  TimestampSchema,
  UseCaseSchema,
} from './common.js';

const sendRequestFields = {
  /** Recipient in international form; intake normalises it to E.164. */
  to: z.string().trim().min(1).max(32),
  from: z.string().trim().min(1).max(32).optional(),
  messagingServiceSid: MessagingServiceSidSchema.optional(),
  brand: NameSchema,
  campaign: NameSchema,
  useCase: UseCaseSchema,
  body: BodySchema,
  sendAt: TimestampSchema.optional(),
};

function exactlyOneSender(value: { from?: string | undefined; messagingServiceSid?: string | undefined }): boolean {
  return (value.from === undefined) !== (value.messagingServiceSid === undefined);
}
const senderMessage = { message: 'give exactly one of "from" and "messagingServiceSid"', path: ['from'] };

/** The body of `POST /v1/messages`. The tenant comes from the API key. */
export const SendRequestSchema = z.strictObject(sendRequestFields).refine(exactlyOneSender, senderMessage);
export type SendRequest = z.infer<typeof SendRequestSchema>;

/**
 * What an upstream product publishes on `sms.send-requests.v1`. The topic is inside the
 * platform's trust boundary, so the tenant is named in the event; the idempotency key makes
 * a republished request harmless.
 */
export const SendRequestEventSchema = z
  .strictObject({
    ...sendRequestFields,
    tenantId: TenantIdSchema,
    idempotencyKey: z.string().min(1).max(200),
  })
  .refine(exactlyOneSender, senderMessage);
export type SendRequestEvent = z.infer<typeof SendRequestEventSchema>;
