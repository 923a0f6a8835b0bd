import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { BodySchema, MessagingServiceSidSchema, NameSchema, TenantIdSchema, TimestampSchema, UseCaseSchema } from './common.js';

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

/**
 * The namespace of message ids derived from idempotency keys (a UUID v5 namespace): a fixed
 * value, part of the contract, so that a producer computes its message's id itself.
 */
export const MESSAGE_ID_NAMESPACE = '8b6f3c1e-5a2d-4e7f-9c0b-3d1e2f4a5b6c';

/**
 * The id intake gives a request that carries an idempotency key: UUID v5 of
 * `<tenantId>\n<idempotencyKey>` in MESSAGE_ID_NAMESPACE. A producer on sms.send-requests.v1
 * knows its message's id without waiting for an answer, and asks audit for its history with it;
 * the same key always names the same message.
 */
export function messageIdFor(tenantId: string, idempotencyKey: string): string {
  return uuidv5(`${tenantId}\n${idempotencyKey}`, MESSAGE_ID_NAMESPACE);
}
