import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webhookKey } from './webhook-replay.guard.js';

type Webhook = Parameters<typeof webhookKey>[0];
const request = (body: Record<string, string>, headers: Record<string, string> = {}, originalUrl = '/webhooks/twilio/inbound') =>
  ({ originalUrl, body, header: (name: string) => headers[name.toLowerCase()] }) as unknown as Webhook;

describe('webhookKey', () => {
  it("uses Twilio's idempotency token when there is one, whatever the fields", () => {
    const token = { 'i-twilio-idempotency-token': 'tok-1' };
    assert.equal(webhookKey(request({ MessageSid: 'SM1' }, token)), 'token:tok-1');
    assert.equal(webhookKey(request({ MessageSid: 'SM2' }, token)), webhookKey(request({ MessageSid: 'SM1' }, token)));
  });

  it('without a token, the same URL and fields in any order are the same webhook', () => {
    const a = webhookKey(request({ MessageSid: 'SM1', Body: 'STOP' }));
    assert.match(a, /^hash:[0-9a-f]{64}$/);
    assert.equal(webhookKey(request({ Body: 'STOP', MessageSid: 'SM1' })), a);
  });

  it('another field value or another URL is another webhook', () => {
    const a = webhookKey(request({ MessageSid: 'SM1', Body: 'STOP' }));
    assert.notEqual(webhookKey(request({ MessageSid: 'SM1', Body: 'START' })), a);
    assert.notEqual(webhookKey(request({ MessageSid: 'SM1', Body: 'STOP' }, {}, '/webhooks/twilio/status?m=x')), a);
  });
});
