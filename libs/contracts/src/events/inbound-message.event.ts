import { z } from 'zod';
import { E164Schema, MessageIdSchema, TenantIdSchema, TimestampSchema } from './common.js';

/** A text a person sent to one of a tenant's numbers, received on intake's Twilio webhook. */
export const InboundMessageEventSchema = z.strictObject({
  id: MessageIdSchema,
  tenantId: TenantIdSchema,
  twilioSid: z.string().min(2).max(64),
  from: E164Schema,
  to: E164Schema,
  body: z.string().max(1600),
  receivedAt: TimestampSchema,
});
export type InboundMessageEvent = z.infer<typeof InboundMessageEventSchema>;
