import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import twilio from 'twilio';
import { twilioSignature } from './twilio-signature.js';

// Twilio's published example (Webhooks security docs and the SDK snippets): auth token 12345.
const TOKEN = '12345';
const URL_WITH_QUERY = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const CALL_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };

describe('twilioSignature', () => {
  it("reproduces Twilio's published signatures", () => {
    assert.equal(twilioSignature(TOKEN, URL_WITH_QUERY, CALL_PARAMS), 'GvWf1cFY/Q7PnoempGyD5oXAezc=');
    assert.equal(twilioSignature(TOKEN, URL_WITH_QUERY, { ...CALL_PARAMS, Caller: '+14158675309', From: '+14158675309' }), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('does not depend on the order parameters are given in', () => {
    const reversed = Object.fromEntries(Object.entries(CALL_PARAMS).reverse());
    assert.equal(twilioSignature(TOKEN, URL_WITH_QUERY, reversed), twilioSignature(TOKEN, URL_WITH_QUERY, CALL_PARAMS));
  });

  it("is accepted by the official SDK's validateRequest for a status callback, and a tampered parameter is not", () => {
    const token = '5d9a1f0c2b7e4a38c6f1e0d9b8a7c6e5';
    const url = 'http://127.0.0.1:3000/twilio/status?tenant=acme&campaign=spring%20sale';
    const params = {
      AccountSid: 'AC5ea872f6da5a21de157d80997a64bd33',
      ApiVersion: '2010-04-01',
      From: '+14155550199',
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      MessageStatus: 'delivered',
      SmsSid: 'SM0123456789abcdef0123456789abcdef',
      SmsStatus: 'delivered',
      To: '+14155550100',
      Body: 'Grüße & 👍 = ok?',
    };
    const signature = twilioSignature(token, url, params);
    assert.equal(twilio.validateRequest(token, signature, url, params), true);
    assert.equal(twilio.validateRequest(token, signature, url, { ...params, MessageStatus: 'undelivered' }), false);
    assert.equal(twilio.validateRequest(token, signature, url.replace('acme', 'evil'), params), false);
    assert.equal(twilio.validateRequest('0'.repeat(32), signature, url, params), false);
  });

  it('signs a repeated parameter as the SDK validates it: each value, sorted', () => {
    const url = 'https://example.com/hook';
    const params = { MediaUrl: ['https://b.example/2.png', 'https://a.example/1.png'], To: '+14155550100' };
    const signature = twilioSignature(TOKEN, url, params);
    assert.equal(twilio.validateRequest(TOKEN, signature, url, params), true);
    assert.notEqual(signature, twilioSignature(TOKEN, url, { ...params, MediaUrl: ['https://a.example/1.png'] }));
  });
});
