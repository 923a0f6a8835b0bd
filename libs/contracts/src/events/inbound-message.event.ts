import { z } from 'zod';
import { E164Schema, MessageIdSchema, TenantIdSchema, TimestampSchema } from './common.js';

/** A text a person sent to one of a tenant's numbers, received on intake's Twilio webhook. */
/** What Twilio's Advanced Opt-Out made of an inbound text: its `OptOutType` webhook parameter. */
export const OptOutTypeSchema = z.enum(['STOP', 'START', 'HELP']);

export const InboundMessageEventSchema = z.strictObject({
  id: MessageIdSchema,
  tenantId: TenantIdSchema,
  twilioSid: z.string().min(2).max(64),
  from: E164Schema,
  to: E164Schema,
  body: z.string().max(1600),
  /**
   * Twilio's own reading of the body (Advanced Opt-Out on a Messaging Service, custom keywords
   * such as "Arrêt" included): STOP, START or HELP. Absent: Twilio matched no keyword or the
   * number is not in such a service.
   */
  optOutType: OptOutTypeSchema.optional(),
  receivedAt: TimestampSchema,
});
export type InboundMessageEvent = z.infer<typeof InboundMessageEventSchema>;
