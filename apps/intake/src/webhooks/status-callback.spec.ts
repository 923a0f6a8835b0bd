import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusEventFrom } from './status-callback.js';
import { StatusCallbackQuerySchema, StatusWebhookSchema } from './twilio-webhook.js';

const MESSAGE_ID = '8d3c1c2e-5b7a-4f7e-9a39-2f4f3b0f9d11';
const AT = new Date('2026-12-06T12:00:00.000Z');
const query = StatusCallbackQuerySchema.parse({ m: MESSAGE_ID, t: 'acme', tp: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
/** The fields Twilio posts to a StatusCallback URL for an outbound SMS. */
const callback = (fields: Record<string, string>) =>
  StatusWebhookSchema.parse({ AccountSid: `AC${'0'.repeat(32)}`, ApiVersion: '2010-04-01', MessageSid: `SM${'1'.repeat(32)}`, SmsSid: `SM${'1'.repeat(32)}`, To: '+14155550123', ...fields });

describe('statusEventFrom', () => {
  it("makes a delivery report an event of sms.status.v1 for the message and tenant of the callback's URL", () => {
    assert.deepEqual(statusEventFrom(query, callback({ MessageStatus: 'delivered', SmsStatus: 'delivered' }), AT), {
      messageId: MESSAGE_ID,
      tenantId: 'acme',
      status: 'delivered',
      source: 'twilio-callback',
      twilioSid: `SM${'1'.repeat(32)}`,
      at: '2026-12-06T12:00:00.000Z',
    });
  });

  it("carries Twilio's error code as a number and its message", () => {
    const event = statusEventFrom(query, callback({ MessageStatus: 'undelivered', ErrorCode: '30007', ErrorMessage: 'Carrier violation' }), AT);
    assert.deepEqual([event?.status, event?.errorCode, event?.errorMessage], ['undelivered', 30007, 'Carrier violation']);
  });

  it("reads Twilio's states as the pipeline's: read is delivered, canceled is failed", () => {
    const statuses = ['sent', 'delivered', 'read', 'undelivered', 'failed', 'canceled'].map((s) => statusEventFrom(query, callback({ MessageStatus: s }), AT)?.status);
    assert.deepEqual(statuses, ['sent', 'delivered', 'delivered', 'undelivered', 'failed', 'failed']);
  });

  it('makes nothing of a state the pipeline does not track: such a callback publishes nothing and writes nothing', () => {
    for (const status of ['queued', 'accepted', 'sending', 'scheduled', 'receiving', 'received', 'something-new']) {
      assert.equal(statusEventFrom(query, callback({ MessageStatus: status }), AT), null, status);
    }
  });

  it('the same callback twice is the same event but for when it came: what consumers deduplicate on is in it', () => {
    const body = callback({ MessageStatus: 'failed', ErrorCode: '30001' });
    const first = statusEventFrom(query, body, AT)!;
    const again = statusEventFrom(query, body, new Date(AT.getTime() + 60_000))!;
    assert.deepEqual({ ...again, at: first.at }, first);
    assert.deepEqual([again.messageId, again.twilioSid, again.status], [MESSAGE_ID, `SM${'1'.repeat(32)}`, 'failed']);
  });
});
