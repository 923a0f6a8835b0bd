import { OptOutTypeSchema } from '@sms/contracts';
import { z } from 'zod';

/**
 * What Twilio posts to the webhooks (form fields; Twilio adds fields over time, so unknown
 * ones are accepted and ignored).
 */
export const InboundWebhookSchema = z.looseObject({
  MessageSid: z.string().min(2).max(64),
  AccountSid: z.string().min(2).max(64),
  From: z.string().min(1).max(32),
  To: z.string().min(1).max(32),
  Body: z.string().max(1600).default(''),
  /** Advanced Opt-Out's reading of the body (STOP, START, HELP); any other value is ignored. */
  OptOutType: OptOutTypeSchema.optional().catch(undefined),
});
export type InboundWebhook = z.infer<typeof InboundWebhookSchema>;

export const StatusWebhookSchema = z.looseObject({
  MessageSid: z.string().min(2).max(64),
  AccountSid: z.string().min(2).max(64),
  MessageStatus: z.string().min(1).max(40),
  ErrorCode: z.string().regex(/^\d+$/).optional(),
  ErrorMessage: z.string().max(500).optional(),
});
export type StatusWebhook = z.infer<typeof StatusWebhookSchema>;

/** Our message id, tenant and trace context travel in the (signed) status callback URL. */
export const StatusCallbackQuerySchema = z.object({
  m: z.uuid(),
  t: z.string().min(1).max(63),
  tp: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
});

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
