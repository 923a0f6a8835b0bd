import { appendVerdict, type ClauseId, type MessageEnvelope, type StatusEvent, type Verdict } from '@sms/contracts';
import { record, type OutgoingRecord } from '@sms/kafka';
import { extractContext, ROOT_CONTEXT, type Context } from '@sms/tracing';

/** The trace context a queued message carries, so that later events join its trace. */
export function contextOf(traceparent: string | null): Context {
  return traceparent ? extractContext({ traceparent }) : ROOT_CONTEXT;
}

/** `sending` with Twilio's SID: Twilio took the message. */
export function sendingStatus(envelope: MessageEnvelope, twilioSid: string | null, ctx: Context): OutgoingRecord {
  const event: StatusEvent = {
    messageId: envelope.id,
    tenantId: envelope.tenantId,
    status: 'sending',
    source: 'dispatcher',
    ...(twilioSid ? { twilioSid } : {}),
    at: new Date().toISOString(),
  };
  return record('status', envelope.id, event, ctx);
}

/** `failed` with Twilio's error code, what it means and the clauses involved. */
export function failedStatus(envelope: MessageEnvelope, failure: { code: number | null; message: string | null; reason: string; clauses: ClauseId[] }, ctx: Context): OutgoingRecord {
  const event: StatusEvent = {
    messageId: envelope.id,
    tenantId: envelope.tenantId,
    status: 'failed',
    source: 'dispatcher',
    ...(failure.code !== null ? { errorCode: failure.code } : {}),
    ...(failure.message !== null ? { errorMessage: failure.message.slice(0, 500) } : {}),
    reason: failure.reason.slice(0, 500),
    ...(failure.clauses.length > 0 ? { clauses: failure.clauses } : {}),
    at: new Date().toISOString(),
  };
  return record('status', envelope.id, event, ctx);
}

/**
 * `scheduled`: deferred to a later time, with why (quiet hours, sendAt, a daily cap, a pause of
 * its sender or the account); no `scheduledFor` when no time is known (an operator must clear a
 * pause first).
 */
export function scheduledStatus(envelope: MessageEnvelope, scheduledFor: Date | null, reason: string, clauses: ClauseId[], ctx: Context): OutgoingRecord {
  const event: StatusEvent = {
    messageId: envelope.id,
    tenantId: envelope.tenantId,
    status: 'scheduled',
    source: 'dispatcher',
    ...(scheduledFor ? { scheduledFor: scheduledFor.toISOString() } : {}),
    reason: reason.slice(0, 500),
    ...(clauses.length > 0 ? { clauses } : {}),
    at: new Date().toISOString(),
  };
  return record('status', envelope.id, event, ctx);
}

/** The envelope with the dispatcher's stopping verdict, for `sms.stopped.v1`. */
export function stoppedRecord(envelope: MessageEnvelope, verdict: Omit<Verdict, 'at'>, recipientToken: string, ctx: Context): OutgoingRecord {
  return record('stopped', recipientToken, appendVerdict(envelope, { ...verdict, at: new Date().toISOString() }), ctx);
}
