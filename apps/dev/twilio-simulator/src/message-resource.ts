import { randomUUID } from 'node:crypto';
import type { StoredMessage } from './message-store.js';
import { twilioErrorMessage } from './twilio-errors.js';

export const API_VERSION = '2010-04-01';

/** A Twilio SID: two-letter prefix and 32 lowercase hex digits. */
export function newSid(prefix: 'SM' | 'MM'): string {
  return prefix + randomUUID().replaceAll('-', '');
}

/** Twilio's date format, RFC 2822 in GMT: "Thu, 27 Nov 2026 18:56:45 +0000". */
export function rfc2822(epochMs: number): string {
  // toUTCString gives "Thu, 27 Nov 2026 18:56:45 GMT": the same fields, Twilio writes the zone as +0000.
  return new Date(epochMs).toUTCString().replace(/GMT$/, '+0000');
}

export const messagesUri = (accountSid: string): string => `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
export const messageUri = (accountSid: string, sid: string): string => `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;

/** The Message resource (`api.v2010.account.message`) with every property, null where unknown. */
export interface MessageResource {
  body: string | null;
  num_segments: string | null;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  from: string | null;
  to: string | null;
  date_updated: string | null;
  price: string | null;
  error_message: string | null;
  uri: string | null;
  account_sid: string | null;
  num_media: string | null;
  status: StoredMessage['status'];
  messaging_service_sid: string | null;
  sid: string | null;
  date_sent: string | null;
  date_created: string | null;
  error_code: number | null;
  price_unit: string | null;
  api_version: string | null;
  subresource_uris: Record<string, string> | null;
}

export function toResource(m: StoredMessage, accountSid: string): MessageResource {
  const uri = messageUri(accountSid, m.sid);
  const base = uri.slice(0, -'.json'.length);
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.receivedAt),
    // "For an outgoing message, this is when Twilio sent the message": null while it waits in
    // Twilio's queue; "for an incoming message, this is when Twilio sent the HTTP request to your
    // incoming message webhook URL" (https://www.twilio.com/docs/messaging/api/message-resource).
    date_sent: m.sentAt === null ? null : rfc2822(m.sentAt),
    date_updated: rfc2822(m.updatedAt),
    direction: m.direction ?? 'outbound-api',
    error_code: m.errorCode,
    error_message: m.errorCode === null ? null : twilioErrorMessage(m.errorCode),
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.numMedia),
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: m.to,
    uri,
  };
}
