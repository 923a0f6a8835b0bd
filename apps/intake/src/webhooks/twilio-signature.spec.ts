import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { twilioSignatureRefusal, webhookBaseUrl } from './twilio-signature.js';

const AUTH_TOKEN = 'f'.repeat(32);
const PUBLIC_URL = webhookBaseUrl('https://gateway.example.org/');
const PATH = '/twilio/status?m=8d3c1c2e-5b7a-4f7e-9a39-2f4f3b0f9d11&t=acme&tp=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const PARAMS = { To: '+14155550123', MessageSid: `SM${'1'.repeat(32)}`, AccountSid: `AC${'0'.repeat(32)}`, MessageStatus: 'sent', SmsStatus: 'sent', ApiVersion: '2010-04-01' };

/**
 * Twilio's documented signature, written out rather than taken from the SDK: the full URL it
 * called, then each posted field's name and value, sorted by name, HMAC-SHA1 with the auth
 * token, in base64 (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
 */
function documented(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((s, name) => s + name + params[name], url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

const request = (signature: string | undefined, params: Record<string, string> = PARAMS, isForm = true) => ({ signature, isForm, originalUrl: PATH, params });

describe('twilioSignatureRefusal', () => {
  it('lets through a callback signed as Twilio documents it, over the public URL Twilio called with its query', () => {
    assert.equal(twilioSignatureRefusal(AUTH_TOKEN, PUBLIC_URL, request(documented(AUTH_TOKEN, `${PUBLIC_URL}${PATH}`, PARAMS))), null);
  });

  it('refuses another token, another URL (the query included), or a field changed after signing', () => {
    const refused = (signature: string, params = PARAMS) => twilioSignatureRefusal(AUTH_TOKEN, PUBLIC_URL, request(signature, params))?.type;
    assert.equal(refused(documented('e'.repeat(32), `${PUBLIC_URL}${PATH}`, PARAMS)), 'bad-signature');
    assert.equal(refused(documented(AUTH_TOKEN, `${PUBLIC_URL}${PATH.replace('t=acme', 't=other')}`, PARAMS)), 'bad-signature');
    assert.equal(refused(documented(AUTH_TOKEN, `${PUBLIC_URL}${PATH}`, PARAMS), { ...PARAMS, MessageStatus: 'delivered' }), 'bad-signature');
  });

  it('refuses a webhook without a signature (403), and one that is not a form (415), before reading anything else', () => {
    assert.deepEqual(
      [twilioSignatureRefusal(AUTH_TOKEN, PUBLIC_URL, request(undefined)), twilioSignatureRefusal(AUTH_TOKEN, PUBLIC_URL, request('x', PARAMS, false))].map((r) => [r?.status, r?.type]),
      [
        [403, 'unsigned-webhook'],
        [415, 'unsupported-media-type'],
      ],
    );
  });
});
