import { createHmac } from 'node:crypto';

/** The header Twilio puts its webhook signature in. */
export const SIGNATURE_HEADER = 'X-Twilio-Signature';

/**
 * Signs a webhook the way Twilio does (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * take the full URL Twilio requests (with its query string, exactly as configured), append each
 * POST parameter's name immediately followed by its value, parameters sorted by name (byte order,
 * case-sensitive), and compute base64(HMAC-SHA1(authToken, that string)).
 *
 * Receivers recompute this from the URL they were configured with and the parameters they got,
 * so the simulator must sign the exact URL it posts to and the exact parameters it sends.
 * A parameter sent several times contributes each value, values sorted, as Twilio's SDKs expect.
 */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string | readonly string[]>>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] as string | readonly string[];
    if (typeof value === 'string') {
      data += name + value;
    } else {
      for (const v of [...new Set(value)].sort()) data += name + v;
    }
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
