import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import twilio from 'twilio';
import { startSimulator, type Simulator } from './server.js';
import { rejection, sdkClientFor } from './test-support/twilio-sdk-client.js';
import { waitUntil } from './test-support/wait-until.js';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.js';
import { FROM, MG, TO } from './test-support/fixtures.js';

async function simPost(sim: Simulator, path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('the official twilio SDK against the simulator', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let client: twilio.Twilio;

  before(async () => {
    sim = await startSimulator({ callbackDelayMs: 5, log: () => undefined });
    receiver = await startWebhookReceiver();
    client = sdkClientFor(sim);
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(() => sim.reset());

  it('creates, fetches and lists a message', async () => {
    const statusCallback = `${receiver.url}/twilio/status`;
    const created = await client.messages.create({ to: TO, from: FROM, body: 'Your appointment is at 10:00. Reply STOP to opt out.', statusCallback });
    assert.match(created.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(created.status, 'queued');
    assert.equal(created.accountSid, sim.accountSid);
    assert.equal(created.to, TO);
    assert.equal(created.from, FROM);
    assert.equal(created.numSegments, '1');
    assert.equal(created.direction, 'outbound-api');
    assert.ok(created.dateCreated instanceof Date && !Number.isNaN(created.dateCreated.getTime()), 'the SDK parses date_created');

    const fetched = await client.messages(created.sid).fetch();
    assert.equal(fetched.sid, created.sid);
    assert.equal(fetched.body, 'Your appointment is at 10:00. Reply STOP to opt out.');

    const listed = await client.messages.list({ to: TO });
    assert.deepEqual(
      listed.map((m) => m.sid),
      [created.sid],
    );
    assert.deepEqual(await client.messages.list({ to: TO, dateSentBefore: new Date(Date.now() - 3_600_000) }), []);
    assert.deepEqual(await client.messages.list({ to: '+14155550111' }), []);

    assert.equal(sim.messages(TO)[0]?.statusCallback, statusCallback);
  });

  it('pages through a long list newest first, following next_page_uri', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await client.messages.create({ to: TO, from: FROM, body: `reminder ${i}` })).sid);
    const listed = await client.messages.list({ to: TO, pageSize: 2 });
    assert.deepEqual(
      listed.map((m) => m.sid),
      sids.reverse(),
    );
    const firstPage = await client.messages.page({ to: TO, pageSize: 2 });
    const secondPage = await firstPage.nextPage();
    assert.equal(secondPage?.instances.length, 2);
    const back = await secondPage?.previousPage();
    assert.deepEqual(
      back?.instances.map((m) => m.sid),
      firstPage.instances.map((m) => m.sid),
    );
  });

  it('sends through a messaging service from its registered sender pool, sticky per recipient', async () => {
    const pool = ['+14155550201', '+14155550202', '+14155550203'];
    assert.equal((await simPost(sim, '/sim/messaging-services', { sid: MG, numbers: pool })).status, 201);
    const first = await client.messages.create({ to: TO, messagingServiceSid: MG, body: 'hello' });
    assert.equal(first.status, 'accepted');
    assert.equal(first.messagingServiceSid, MG);
    assert.ok(first.from !== null && pool.includes(first.from), `from ${first.from} is in the pool`);
    const again = await client.messages.create({ to: TO, messagingServiceSid: MG, body: 'hello again' });
    assert.equal(again.from, first.from);
    const senders = new Set<string | null>();
    for (let i = 0; i < 30; i++) senders.add((await client.messages.create({ to: `+1415555${String(1000 + i)}`, messagingServiceSid: MG, body: 'hi' })).from);
    assert.ok([...senders].every((s) => s !== null && pool.includes(s)));
    assert.ok(senders.size > 1, 'different recipients spread over the pool');

    const unknownService = await client.messages.create({ to: TO, messagingServiceSid: 'MG' + 'f'.repeat(32), body: 'hi' });
    assert.equal(unknownService.from, null);
  });

  // CreateMessage (Twilio's OpenAPI description): with a MessagingServiceSid "you can provide a
  // specific sender from your Sender Pool" as From; a From outside it is refused with 21711
  // (https://www.twilio.com/docs/api/errors/21711).
  it("takes a From given with a MessagingServiceSid only from that service's sender pool (else 21711)", async () => {
    const pool = ['+14155550201', '+14155550202'];
    await simPost(sim, '/sim/messaging-services', { sid: MG, numbers: pool });
    const chosen = await client.messages.create({ to: TO, from: pool[1], messagingServiceSid: MG, body: 'from a chosen number of the pool' });
    assert.deepEqual([chosen.from, chosen.messagingServiceSid], [pool[1], MG]);
    const outside = await rejection(client.messages.create({ to: TO, from: FROM, messagingServiceSid: MG, body: 'from outside the pool' }));
    assert.deepEqual([outside.status, outside.code, outside.moreInfo], [400, 21711, 'https://www.twilio.com/docs/errors/21711']);
    assert.deepEqual(
      sim.messages(TO).map((m) => m.from),
      [pool[1]],
      'the refused pair was not taken',
    );
  });

  it("rejects with the SDK's RestException carrying an injected fault's code and status", async () => {
    assert.equal((await simPost(sim, '/sim/faults', { to: TO, status: 429, code: 20429, times: 1 })).status, 201);
    const limited = await rejection(client.messages.create({ to: TO, from: FROM, body: 'hello' }));
    assert.equal(limited.status, 429);
    assert.equal(limited.code, 20429);
    assert.equal(limited.moreInfo, 'https://www.twilio.com/docs/errors/20429');
    // `times: 1` is spent: the next send goes through, and other recipients were never affected.
    assert.equal((await client.messages.create({ to: TO, from: FROM, body: 'hello' })).status, 'queued');

    await simPost(sim, '/sim/faults', { status: 503, code: 20503 });
    const unavailable = await rejection(client.messages.create({ to: '+14155550123', from: FROM, body: 'hello' }));
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.code, 20503);
    await fetch(`${sim.url}/sim/faults`, { method: 'DELETE' });

    await simPost(sim, '/sim/faults', { to: TO, status: 400, code: 21610, times: 1 });
    const unsubscribed = await rejection(client.messages.create({ to: TO, from: FROM, body: 'hello' }));
    assert.deepEqual([unsubscribed.status, unsubscribed.code, unsubscribed.message], [400, 21610, 'Attempt to send to unsubscribed recipient']);
  });

  // RFC 6585 section 4: a 429 "MAY include a Retry-After header indicating how long to wait";
  // Twilio's 20429 page (https://www.twilio.com/docs/api/errors/20429) promises none ("wait for
  // a short period of time"): the header comes only with a fault that asks for it.
  it('sends Retry-After with a refusal only when the fault asks for it; the SDK still sees a 429 with 20429', async () => {
    const post = () =>
      fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: TO, From: FROM, Body: 'hello' }),
      });
    await simPost(sim, '/sim/faults', { to: TO, status: 429, code: 20429, times: 1, retryAfter: 7 });
    await simPost(sim, '/sim/faults', { to: TO, status: 429, code: 20429, times: 1 });
    const told = await post();
    assert.deepEqual([told.status, told.headers.get('retry-after'), ((await told.json()) as { code: number }).code], [429, '7', 20429]);
    const plain = await post();
    assert.deepEqual([plain.status, plain.headers.get('retry-after')], [429, null]);
    await simPost(sim, '/sim/faults', { to: TO, status: 429, code: 20429, times: 1, retryAfter: 7 });
    const limited = await rejection(client.messages.create({ to: TO, from: FROM, body: 'hello' }));
    assert.deepEqual([limited.status, limited.code], [429, 20429]);
  });

  // "date_sent: for an outgoing message, this is when Twilio sent the message"
  // (https://www.twilio.com/docs/messaging/api/message-resource): null while it waits in Twilio's
  // queue, so a DateSent filter cannot find it then; listing by To (and From) can.
  it("leaves date_sent null while a message waits in Twilio's queue, so only a list by To finds a message whose answer was lost", async () => {
    await simPost(sim, '/sim/faults', { to: TO, status: 500, code: 20500, times: 1, recordMessage: true, queuedMs: 400 });
    const lost = await rejection(client.messages.create({ to: TO, from: FROM, body: 'in doubt' }));
    assert.equal(lost.status, 500);
    assert.deepEqual(await client.messages.list({ to: TO, dateSentAfter: new Date(Date.now() - 60_000) }), [], 'not sent yet: no date_sent to filter on');
    const [queued] = await client.messages.list({ to: TO, from: FROM, limit: 20 });
    assert.deepEqual([queued?.body, queued?.status, queued?.dateSent], ['in doubt', 'queued', null]);
    assert.ok(queued!.dateCreated instanceof Date, 'date_created is set at once');
    await waitUntil(async () => (await client.messages(queued!.sid).fetch()).status === 'delivered');
    const sent = await client.messages(queued!.sid).fetch();
    assert.ok(sent.dateSent instanceof Date && sent.dateSent.getTime() >= Math.floor(sent.dateCreated.getTime() / 1000) * 1000, 'date_sent once sent');
    const found = await client.messages.list({ to: TO, dateSentAfter: new Date(Date.now() - 60_000) });
    assert.deepEqual(
      found.map((m) => m.sid),
      [queued!.sid],
    );
  });

  it('fails a message in the queue without ever setting date_sent (30001 queue overflow)', async () => {
    await simPost(sim, '/sim/faults', { to: TO, status: 201, code: 30001, times: 1 });
    const created = await client.messages.create({ to: TO, from: FROM, body: 'overflow' });
    await waitUntil(async () => (await client.messages(created.sid).fetch()).status === 'failed');
    const failed = await client.messages(created.sid).fetch();
    assert.deepEqual([failed.errorCode, failed.dateSent], [30001, null]);
  });

  // https://www.twilio.com/docs/iam/api/authtoken: promoting the secondary auth token makes it the
  // primary, and "after promoting the new token, all requests to Twilio using your old primary
  // Auth Token will result in an error"; webhooks are signed with the account's token.
  it('refuses the old auth token with 401 / 20003 once the token is rotated, takes the new one and signs webhooks with it', async () => {
    const rotated = 'c0ffee'.repeat(5) + 'ab';
    const rotate = (body: unknown) => fetch(`${sim.url}/sim/auth-token`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await rotate({ authToken: 'short' })).status, 400);
    assert.equal((await rotate({ authToken: rotated })).status, 200);
    const refused = await rejection(client.messages.create({ to: TO, from: FROM, body: 'old token' }));
    assert.deepEqual([refused.status, refused.code], [401, 20003]);
    assert.equal((await rejection(client.messages.list({ to: TO, limit: 1 }))).status, 401, 'every request');
    const url = `${receiver.url}/twilio/status`;
    const created = await sdkClientFor(sim, rotated).messages.create({ to: TO, from: FROM, body: 'new token', statusCallback: url });
    const [hook] = await receiver.waitFor(1, (h) => h.params.MessageSid === created.sid);
    assert.ok(twilio.validateRequest(rotated, hook!.signature ?? '', url, hook!.params), 'signed with the new token');
    assert.equal(twilio.validateRequest(sim.authToken, hook!.signature ?? '', url, hook!.params), false);
    sim.reset();
    assert.equal((await client.messages.create({ to: TO, from: FROM, body: 'configured token again' })).status, 'queued', 'DELETE /sim/state restores the configured token');
  });

  it("reports Twilio's validation and authentication errors", async () => {
    const invalid = await rejection(client.messages.create({ to: '12345', from: FROM, body: 'hello' }));
    assert.deepEqual([invalid.status, invalid.code], [400, 21211]);
    const noSender = await rejection(client.messages.create({ to: TO, body: 'hello' }));
    assert.deepEqual([noSender.status, noSender.code], [400, 21603]);
    const tooLong = await rejection(client.messages.create({ to: TO, from: FROM, body: 'x'.repeat(1601) }));
    assert.deepEqual([tooLong.status, tooLong.code], [400, 21617]);
    const unknown = await rejection(client.messages('SM' + '0'.repeat(32)).fetch());
    assert.deepEqual([unknown.status, unknown.code], [404, 20404]);
    const wrongToken = await rejection(sdkClientFor(sim, 'f'.repeat(32)).messages.create({ to: TO, from: FROM, body: 'hello' }));
    assert.deepEqual([wrongToken.status, wrongToken.code], [401, 20003]);
    assert.deepEqual(sim.messages(), [], 'nothing refused was recorded');
  });

  it('lists inbound messages as Message resources (inbound, received) by To and DateSent, whatever the webhook answered, and posts each webhook once', async () => {
    // Twilio's Message resource: direction "inbound", status "received", date_sent "when Twilio
    // sent the HTTP request to your incoming message webhook URL"; a failed webhook is not retried.
    await simPost(sim, '/sim/messaging-services', { sid: MG, numbers: ['+14155550201'] });
    const before = new Date(Date.now() - 1000);
    receiver.answer = () => 503;
    const failed = (await (await simPost(sim, '/sim/inbound', { from: TO, to: FROM, body: 'Can I move my cleaning to Friday?', webhookUrl: `${receiver.url}/twilio/inbound` })).json()) as {
      sid: string;
      webhookStatus: number;
    };
    assert.equal(failed.webhookStatus, 503);
    const dead = await startWebhookReceiver();
    await dead.close();
    const unreachable = await simPost(sim, '/sim/inbound', { from: TO, to: '+14155550201', body: 'stop please', webhookUrl: `${dead.url}/twilio/inbound` });
    assert.equal(unreachable.status, 502);
    const unreachableSid = ((await unreachable.json()) as { sid: string }).sid;
    receiver.answer = () => 200;
    const delivered = (await (await simPost(sim, '/sim/inbound', { from: '+14155550133', to: FROM, body: 'Thanks!', webhookUrl: `${receiver.url}/twilio/inbound` })).json()) as { sid: string };
    await client.messages.create({ to: TO, from: FROM, body: 'an outbound message' });

    const toOurNumber = await client.messages.list({ to: FROM, dateSentAfter: before, pageSize: 1 });
    assert.deepEqual(
      toOurNumber.map((m) => [m.sid, m.direction, m.status, m.from, m.to]),
      [
        [delivered.sid, 'inbound', 'received', '+14155550133', FROM],
        [failed.sid, 'inbound', 'received', TO, FROM],
      ],
      'newest first, paged one at a time by the SDK',
    );
    assert.ok(toOurNumber.every((m) => m.dateSent instanceof Date && m.dateSent.getTime() >= Math.floor(before.getTime() / 1000) * 1000));
    const viaService = await client.messages.list({ to: '+14155550201', dateSentAfter: before });
    assert.deepEqual(
      viaService.map((m) => [m.sid, m.messagingServiceSid, m.body]),
      [[unreachableSid, MG, 'stop please']],
    );
    assert.equal((await client.messages(failed.sid).fetch()).direction, 'inbound');
    assert.deepEqual(await client.messages.list({ to: FROM, dateSentAfter: new Date(Date.now() + 3_600_000) }), []);
    assert.equal(receiver.received.filter((h) => h.params.MessageSid === failed.sid).length, 1, 'a webhook answered 503 is not retried');
    assert.deepEqual(
      sim.messages().map((m) => m.body),
      ['an outbound message'],
      '/sim/messages lists sends only',
    );
  });
});
