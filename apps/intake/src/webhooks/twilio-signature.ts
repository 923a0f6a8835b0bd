import twilio from 'twilio';

/** Why a webhook was refused before anything in it was read (RFC 9457 fields). */
export interface WebhookRefusal {
  status: 403 | 415;
  type: 'unsigned-webhook' | 'unsupported-media-type' | 'bad-signature';
  title: string;
  detail: string;
}

/** What the signature covers: the header, whether the body is a form, the path and query Twilio called, the posted fields. */
export interface SignedRequest {
  signature: string | undefined;
  isForm: boolean;
  originalUrl: string;
  params: Record<string, unknown>;
}

/**
 * Checks X-Twilio-Signature as Twilio documents it (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * the official SDK recomputes it from the account's auth token, the public URL Twilio called
 * (`publicUrl` without a trailing slash, then the path and query) and the posted fields.
 * Null when the webhook is Twilio's; otherwise why not.
 */
export function twilioSignatureRefusal(authToken: string, publicUrl: string, request: SignedRequest): WebhookRefusal | null {
  if (!request.signature) return { status: 403, type: 'unsigned-webhook', title: 'Missing signature', detail: 'the X-Twilio-Signature header is missing' };
  if (!request.isForm) {
    return { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type', detail: 'Twilio webhooks are application/x-www-form-urlencoded' };
  }
  if (!twilio.validateRequest(authToken, request.signature, `${publicUrl}${request.originalUrl}`, request.params)) {
    return { status: 403, type: 'bad-signature', title: 'Invalid signature', detail: 'the X-Twilio-Signature does not match this request' };
  }
  return null;
}

/** The public URL as the signature check joins it to a path: without a trailing slash. */
export function webhookBaseUrl(publicUrl: string): string {
  return publicUrl.replace(/\/$/, '');
}
