import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import twilio from 'twilio';
import { startSimulator, type Simulator } from './server.js';
import { sdkClientFor } from './test-support/twilio-sdk-client.js';
import { waitUntil } from './test-support/wait-until.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './test-support/webhook-receiver.js';
import { FROM, MG, TO } from './test-support/fixtures.js';

describe('status callbacks', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let client: twilio.Twilio;
  const logged: string[] = [];

  const callbacksOf = (sid: string, count: number): Promise<ReceivedWebhook[]> => receiver.waitFor(count, (hook) => hook.params.MessageSid === sid);
  const inject = (fault: unknown): Promise<Response> => fetch(`${sim.url}/sim/faults`, { method: 'POST', body: JSON.stringify(fault) });

  before(async () => {
    receiver = await startWebhookReceiver();
    sim = await startSimulator({
      callbackDelayMs: 5,
      callbackRetry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
      log: (line) => logged.push(line),
    });
    client = sdkClientFor(sim);
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(() => {
    sim.reset();
    receiver.answer = () => 200;
  });

  // Twilio posts no callback for a message's initial status (queued without a messaging service):
  // https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
  it('arrive sent, delivered (none for the initial queued), each signed as Twilio signs for that exact URL', async () => {
    const url = `${receiver.url}/twilio/status?tenant=acme&campaign=spring%20sale`;
    const { sid } = await client.messages.create({ to: TO, from: FROM, body: 'hello', statusCallback: url });
    const hooks = await callbacksOf(sid, 2);
    assert.deepEqual(
      hooks.map((h) => h.params.MessageStatus),
      ['sent', 'delivered'],
    );
    for (const hook of hooks) {
      assert.equal(hook.url, url);
      assert.equal(hook.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.ok(twilio.validateRequest(sim.authToken, hook.signature ?? '', url, hook.params), `valid signature on ${hook.params.MessageStatus}`);
      assert.equal(twilio.validateRequest(sim.authToken, hook.signature ?? '', url, { ...hook.params, MessageStatus: 'read' }), false);
      assert.deepEqual(hook.params, {
        AccountSid: sim.accountSid,
        ApiVersion: '2010-04-01',
        From: FROM,
        MessageSid: sid,
        MessageStatus: hook.params.MessageStatus,
        SmsSid: sid,
        SmsStatus: hook.params.MessageStatus,
        To: TO,
      });
    }
    assert.equal((await client.messages(sid).fetch()).status, 'delivered');
  });

  it('end undelivered or failed with ErrorCode after a 201 fault', async () => {
    await inject({ to: TO, status: 201, code: 30003, times: 1 });
    await inject({ to: TO, status: 201, code: 30008, times: 1 });
    const url = `${receiver.url}/status`;
    const unreachable = await client.messages.create({ to: TO, from: FROM, body: 'one', statusCallback: url });
    const unknown = await client.messages.create({ to: TO, from: FROM, body: 'two', statusCallback: url });
    assert.equal(unreachable.status, 'queued', 'the send itself is accepted');

    const first = await callbacksOf(unreachable.sid, 2);
    assert.deepEqual(
      first.map((h) => [h.params.MessageStatus, h.params.ErrorCode]),
      [
        ['sent', undefined],
        ['undelivered', '30003'],
      ],
    );
    const second = await callbacksOf(unknown.sid, 1);
    assert.deepEqual(
      second.map((h) => [h.params.MessageStatus, h.params.ErrorCode]),
      [['failed', '30008']],
    );
    for (const hook of [...first, ...second]) assert.ok(twilio.validateRequest(sim.authToken, hook.signature ?? '', url, hook.params));
    const fetched = await client.messages(unreachable.sid).fetch();
    assert.deepEqual([fetched.status, fetched.errorCode], ['undelivered', 30003]);
  });

  it('carry the MessagingServiceSid of a messaging-service send, from accepted: queued, sent, delivered', async () => {
    await fetch(`${sim.url}/sim/messaging-services`, { method: 'POST', body: JSON.stringify({ sid: MG, numbers: ['+14155550201'] }) });
    const url = `${receiver.url}/status`;
    const { sid, status } = await client.messages.create({ to: TO, messagingServiceSid: MG, body: 'hi', statusCallback: url });
    assert.equal(status, 'accepted');
    const hooks = await callbacksOf(sid, 3);
    assert.deepEqual(
      hooks.map((h) => h.params.MessageStatus),
      ['queued', 'sent', 'delivered'],
    );
    for (const hook of hooks) {
      assert.equal(hook.params.MessagingServiceSid, MG);
      assert.equal(hook.params.From, '+14155550201');
      assert.ok(twilio.validateRequest(sim.authToken, hook.signature ?? '', url, hook.params));
    }
  });

  // "If you are using a Messaging Service and the numbers in the pool experience queue overload,
  // messages will instead fail after creation with error 30001"
  // (https://www.twilio.com/docs/api/errors/21611, https://www.twilio.com/docs/api/errors/30001).
  it('report a queue overflow of a messaging-service send as accepted, then callbacks queued and failed with 30001', async () => {
    await fetch(`${sim.url}/sim/messaging-services`, { method: 'POST', body: JSON.stringify({ sid: MG, numbers: ['+14155550201'] }) });
    await inject({ to: TO, status: 201, code: 30001, times: 1 });
    const url = `${receiver.url}/status`;
    const created = await client.messages.create({ to: TO, messagingServiceSid: MG, body: 'too many', statusCallback: url });
    assert.equal(created.status, 'accepted', 'the create call itself succeeds');
    const hooks = await callbacksOf(created.sid, 2);
    assert.deepEqual(
      hooks.map((h) => [h.params.MessageStatus, h.params.ErrorCode]),
      [
        ['queued', undefined],
        ['failed', '30001'],
      ],
    );
    const fetched = await client.messages(created.sid).fetch();
    assert.deepEqual([fetched.status, fetched.errorCode, fetched.dateSent], ['failed', 30001, null]);
  });

  // Twilio's error pages for the account and registration limits: 63038 "Log Type: TWILIO", the
  // account exceeded its messages over a rolling 24 hours (https://www.twilio.com/docs/api/errors/63038):
  // the message fails at Twilio without being sent. 30022, 30032 and 30034 "Log Type: CARRIER": a
  // downstream carrier rejects a 10DLC campaign over its rate (https://www.twilio.com/docs/api/errors/30022),
  // blocks an unverified toll-free number (https://www.twilio.com/docs/api/errors/30032) or an
  // unregistered 10DLC number (https://www.twilio.com/docs/api/errors/30034): `undelivered` with
  // the ErrorCode. The create call itself succeeds for all four.
  it('report the account limit (63038) as failed at Twilio and the registration limits (30022, 30032, 30034) as undelivered, after an accepted create', async () => {
    const unregistered = '+14155550177';
    await inject({ to: TO, status: 201, code: 63038, times: 1 });
    await inject({ from: unregistered, status: 201, code: 30034 });
    await inject({ to: '+14155550112', status: 201, code: 30032, times: 1 });
    await inject({ to: '+14155550113', status: 201, code: 30022, times: 1 });
    const url = `${receiver.url}/status`;
    const daily = await client.messages.create({ to: TO, from: FROM, body: 'over the daily limit', statusCallback: url });
    const fromUnregistered = await Promise.all(
      ['+14155550114', '+14155550115'].map((to) => client.messages.create({ to, from: unregistered, body: 'from an unregistered number', statusCallback: url })),
    );
    const tollFree = await client.messages.create({ to: '+14155550112', from: '+18005550100', body: 'unverified toll-free', statusCallback: url });
    const rate = await client.messages.create({ to: '+14155550113', from: FROM, body: 'over the campaign rate', statusCallback: url });
    for (const created of [daily, ...fromUnregistered, tollFree, rate]) assert.equal(created.status, 'queued', 'the create call is accepted');

    assert.deepEqual(
      (await callbacksOf(daily.sid, 1)).map((h) => [h.params.MessageStatus, h.params.ErrorCode]),
      [['failed', '63038']],
      'failed at Twilio, never sent',
    );
    const failed = await client.messages(daily.sid).fetch();
    assert.deepEqual([failed.status, failed.errorCode, failed.errorMessage, failed.dateSent], ['failed', 63038, 'Account exceeded the daily messages limit', null]);

    for (const [created, code] of [...fromUnregistered.map((m) => [m, 30034] as const), [tollFree, 30032] as const, [rate, 30022] as const]) {
      const hooks = await callbacksOf(created.sid, 2);
      assert.deepEqual(
        hooks.map((h) => [h.params.MessageStatus, h.params.ErrorCode]),
        [
          ['sent', undefined],
          ['undelivered', String(code)],
        ],
        String(code),
      );
      for (const hook of hooks) assert.ok(twilio.validateRequest(sim.authToken, hook.signature ?? '', url, hook.params));
      const fetched = await client.messages(created.sid).fetch();
      assert.deepEqual([fetched.status, fetched.errorCode], ['undelivered', code]);
    }
    const other = await client.messages.create({ to: '+14155550114', from: FROM, body: 'a registered sender', statusCallback: url });
    assert.deepEqual(
      (await callbacksOf(other.sid, 2)).map((h) => h.params.MessageStatus),
      ['sent', 'delivered'],
      "the unregistered sender's fault is its own",
    );
  });

  it('are retried after a 5xx, in order and with the same idempotency token', async () => {
    let failedOnce = false;
    receiver.answer = (_index, hook) => {
      if (failedOnce || !hook.url.endsWith('/flaky')) return 200;
      failedOnce = true;
      return 503;
    };
    const url = `${receiver.url}/flaky`;
    const { sid } = await client.messages.create({ to: TO, from: FROM, body: 'retry me', statusCallback: url });
    const hooks = await callbacksOf(sid, 3);
    assert.deepEqual(
      hooks.map((h) => h.params.MessageStatus),
      ['sent', 'sent', 'delivered'],
    );
    assert.equal(hooks[0]!.headers['i-twilio-idempotency-token'], hooks[1]!.headers['i-twilio-idempotency-token']);
    assert.notEqual(hooks[1]!.headers['i-twilio-idempotency-token'], hooks[2]!.headers['i-twilio-idempotency-token']);
  });

  it('that cannot be delivered are dropped with a log line, and nothing else suffers', async () => {
    const dead = await startWebhookReceiver();
    const deadUrl = `${dead.url}/gone`;
    await dead.close();
    logged.length = 0;
    const lost = await client.messages.create({ to: TO, from: FROM, body: 'nobody listens', statusCallback: deadUrl });
    // Another message's callbacks are not held up by the dead receiver ...
    const fine = await client.messages.create({ to: '+14155550111', from: FROM, body: 'fine', statusCallback: `${receiver.url}/status` });
    assert.equal((await callbacksOf(fine.sid, 2)).length, 2);
    // ... the status still moves on, the API still answers, and the drop is logged.
    await waitUntil(() => logged.some((line) => line.includes(lost.sid)));
    assert.ok(
      logged.some((line) => line.includes(lost.sid) && line.includes('dropped after 3 attempts') && line.includes('ECONNREFUSED')),
      logged.join('\n'),
    );
    assert.equal((await fetch(`${sim.url}/health`)).status, 200);
    assert.equal((await client.messages(lost.sid).fetch()).status, 'delivered');
  });

  it('that the receiver refuses (4xx) are not retried', async () => {
    receiver.answer = () => 403;
    const { sid } = await client.messages.create({ to: TO, from: FROM, body: 'refused', statusCallback: `${receiver.url}/status` });
    const hooks = await callbacksOf(sid, 2);
    assert.deepEqual(
      hooks.map((h) => h.params.MessageStatus),
      ['sent', 'delivered'],
    );
  });

  it('stop on DELETE /sim/state: a forgotten message sends no more callbacks', async () => {
    const slow = await startSimulator({ callbackDelayMs: 100, log: (line) => logged.push(line) });
    try {
      logged.length = 0;
      const slowClient = sdkClientFor(slow);
      const url = `${receiver.url}/status`;
      const forgotten = await slowClient.messages.create({ to: TO, from: FROM, body: 'forgotten', statusCallback: url });
      assert.equal((await fetch(`${slow.url}/sim/state`, { method: 'DELETE' })).status, 200);
      const later = await slowClient.messages.create({ to: TO, from: FROM, body: 'later', statusCallback: url });
      // The forgotten message's callbacks were due before these: had they not been stopped, they would be here.
      assert.equal((await callbacksOf(later.sid, 2)).length, 2);
      assert.deepEqual(
        receiver.received.filter((h) => h.params.MessageSid === forgotten.sid),
        [],
      );
      assert.deepEqual(logged, []);
    } finally {
      await slow.close();
    }
  });
});
