import { statusFromTwilio, type StatusEvent } from '@sms/contracts';
import type { z } from 'zod';
import type { StatusCallbackQuerySchema, StatusWebhook } from './twilio-webhook.js';

/**
 * The event a Twilio status callback becomes on `sms.status.v1`, or null for a state the
 * pipeline does not track (queued, accepted, sending, scheduled...): such a callback publishes
 * nothing, so it needs no write of any kind before it is answered.
 *
 * No receipt is kept for a callback that does publish: its replay (Twilio's own retry, or a
 * captured request sent again) repeats an event every consumer already takes idempotently by
 * message, Twilio message and state. Audit records a state once per message (`status:<state>`),
 * the dispatcher's ledger moves forward only and queues a send again only while the send still
 * holds that Twilio message (which the first callback cleared), consent keeps the earliest send
 * time and records a 21610 opt-out once per message.
 */
export function statusEventFrom(query: z.infer<typeof StatusCallbackQuerySchema>, body: StatusWebhook, at: Date): StatusEvent | null {
  const status = statusFromTwilio(body.MessageStatus);
  if (status === null) return null;
  return {
    messageId: query.m,
    tenantId: query.t,
    status,
    source: 'twilio-callback',
    twilioSid: body.MessageSid,
    ...(body.ErrorCode !== undefined ? { errorCode: Number(body.ErrorCode) } : {}),
    ...(body.ErrorMessage !== undefined ? { errorMessage: body.ErrorMessage } : {}),
    at: at.toISOString(),
  };
}
