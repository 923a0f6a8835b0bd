import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import twilio from 'twilio';
import { startSimulator, type Simulator } from './server.js';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.js';
import { callSim, FROM, type Json, MG, TO } from './test-support/fixtures.js';

describe('the simulator over HTTP', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;

  const json = (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => callSim(sim, method, path, body);
  const send = async (form: Record<string, string>, credentials = `${sim.accountSid}:${sim.authToken}`, accountSid = sim.accountSid): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${sim.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  before(async () => {
    receiver = await startWebhookReceiver();
    sim = await startSimulator({ callbackDelayMs: 5, inboundWebhookUrl: `${receiver.url}/twilio/inbound`, log: () => undefined });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    assert.equal((await json('DELETE', '/sim/state')).status, 200);
    receiver.answer = () => 200;
  });

  it('answers /health', async () => {
    assert.deepEqual(await json('GET', '/health'), { status: 200, body: { status: 'ok' } });
  });

  it('lists sent messages oldest first with the time they were received, filtered by recipient', async () => {
    const first = await send({ To: TO, From: FROM, Body: 'first', StatusCallback: `${receiver.url}/status` });
    await send({ To: '+14155550111', From: FROM, Body: 'other' });
    const third = await send({ To: TO, From: FROM, Body: 'third' });
    const { body } = await json('GET', `/sim/messages?to=${encodeURIComponent(TO)}`);
    const messages = body.messages as Json[];
    assert.deepEqual(
      messages.map((m) => m.sid),
      [first.body.sid, third.body.sid],
    );
    assert.deepEqual(Object.keys(messages[0]!).sort(), ['body', 'direction', 'errorCode', 'from', 'messagingServiceSid', 'numSegments', 'receivedAt', 'seq', 'sid', 'status', 'statusCallback', 'to']);
    assert.ok((messages[1]!.seq as number) > (messages[0]!.seq as number), 'seq follows the order of arrival');
    const after = await json('GET', `/sim/messages?since=${(messages[0]!.seq as number) + 1}`);
    assert.deepEqual(
      (after.body.messages as Json[]).map((m) => m.body),
      ['other', 'third'],
      'since= reads on from a seq, across recipients',
    );
    assert.equal((await json('GET', '/sim/messages?since=-1')).status, 400);
    assert.equal(messages[0]!.statusCallback, `${receiver.url}/status`);
    assert.equal(messages[1]!.statusCallback, null);
    for (const m of messages) assert.match(m.receivedAt as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok((messages[0]!.receivedAt as string) <= (messages[1]!.receivedAt as string));
    assert.equal(((await json('GET', '/sim/messages')).body.messages as Json[]).length, 3);
    assert.deepEqual(
      ((await json('GET', '/sim/messages?limit=1')).body.messages as Json[]).map((m) => m.sid),
      [third.body.sid],
    );
  });

  it('forgets messages, faults and messaging services on DELETE /sim/state', async () => {
    await send({ To: TO, From: FROM, Body: 'hello' });
    await json('POST', '/sim/faults', { status: 503, code: 20503 });
    await json('POST', '/sim/messaging-services', { sid: MG, numbers: ['+14155550201'] });
    assert.equal(((await json('GET', '/sim/messages')).body.messages as Json[]).length, 1);
    assert.deepEqual(await json('DELETE', '/sim/state'), { status: 200, body: { status: 'reset' } });
    assert.deepEqual((await json('GET', '/sim/messages')).body, { messages: [] });
    assert.deepEqual((await json('GET', '/sim/faults')).body, { faults: [] });
    assert.deepEqual((await json('GET', '/sim/messaging-services')).body, { messagingServices: [] });
    assert.equal((await send({ To: TO, From: FROM, Body: 'hello' })).status, 201, 'the fault is gone');
  });

  it('posts a signed inbound-message webhook on /sim/inbound and reports how it was answered', async () => {
    await json('POST', '/sim/messaging-services', { sid: MG, numbers: [FROM] });
    const { status, body } = await json('POST', '/sim/inbound', { from: TO, to: FROM, body: 'STOP' });
    assert.equal(status, 200);
    assert.match(body.sid as string, /^SM[0-9a-f]{32}$/);
    assert.equal(body.webhookStatus, 200);
    const [hook] = await receiver.waitFor(1, (h) => h.params.MessageSid === body.sid);
    const url = `${receiver.url}/twilio/inbound`;
    assert.equal(hook!.url, url);
    assert.ok(twilio.validateRequest(sim.authToken, hook!.signature ?? '', url, hook!.params), 'the SDK accepts the signature');
    assert.equal(twilio.validateRequest(sim.authToken, hook!.signature ?? '', url, { ...hook!.params, Body: 'START' }), false);
    assert.deepEqual(hook!.params, {
      MessageSid: body.sid,
      SmsSid: body.sid,
      SmsMessageSid: body.sid,
      AccountSid: sim.accountSid,
      MessagingServiceSid: MG,
      From: TO,
      To: FROM,
      Body: 'STOP',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      // Advanced Opt-Out is on for a Messaging Service's numbers: Twilio says what it read.
      OptOutType: 'STOP',
    });

    receiver.answer = () => 403;
    const rejected = await json('POST', '/sim/inbound', { from: TO, to: '+14155550999', body: 'hi' });
    assert.deepEqual([rejected.status, rejected.body.webhookStatus], [200, 403]);
    const [noService] = await receiver.waitFor(1, (h) => h.params.MessageSid === rejected.body.sid);
    assert.equal(noService!.params.MessagingServiceSid, undefined, 'no service owns that number');

    const dead = await startWebhookReceiver();
    await dead.close();
    const unreachable = await json('POST', '/sim/inbound', { from: TO, to: FROM, body: 'hi', webhookUrl: `${dead.url}/twilio/inbound` });
    assert.equal(unreachable.status, 502);
    assert.match(unreachable.body.error as string, /could not be reached/);

    assert.equal((await json('POST', '/sim/inbound', { from: 'me', to: FROM, body: 'hi' })).status, 400);
  });

  it("adds Advanced Opt-Out's OptOutType (STOP, START, HELP) to the inbound webhook, for a number in a Messaging Service only", async () => {
    // Twilio, "How to Track Opt-Out, Opt-In and Help Messages Using the OptOutType Parameter":
    // the incoming-message webhook carries OptOutType (STOP, START or HELP) only for a number in
    // a Messaging Service with Advanced Opt-Out, custom keywords included.
    receiver.answer = () => 200;
    await json('POST', '/sim/messaging-services', { sid: MG, numbers: [FROM] });
    const custom = await json('POST', '/sim/inbound', { from: TO, to: FROM, body: 'Arrêt', optOutType: 'STOP' });
    const [hook] = await receiver.waitFor(1, (h) => h.params.MessageSid === custom.body.sid);
    assert.equal(hook!.params.OptOutType, 'STOP');
    assert.equal(hook!.params.Body, 'Arrêt');
    const outside = await json('POST', '/sim/inbound', { from: TO, to: '+14155550999', body: 'Arrêt', optOutType: 'STOP' });
    const [plain] = await receiver.waitFor(1, (h) => h.params.MessageSid === outside.body.sid);
    assert.equal(plain!.params.OptOutType, undefined, 'not in a Messaging Service: no Advanced Opt-Out');
    assert.equal((await json('POST', '/sim/inbound', { from: TO, to: FROM, body: 'x', optOutType: 'NOPE' })).status, 400);
  });

  it('validates fault injections, lists and clears them', async () => {
    const bad: unknown[] = [
      { status: 429 },
      { status: 'x', code: 20429 },
      { status: 302, code: 20429 },
      { status: 201, code: 21211 },
      { to: '4155550100', status: 429, code: 20429 },
      { status: 429, code: 20429, times: 0 },
      { status: 429, code: 20429, latencyMs: -1 },
      { status: 429, code: 20429, tmies: 2 },
      [],
      'null',
    ];
    for (const fault of bad) {
      const { status, body } = await json('POST', '/sim/faults', fault);
      assert.equal(status, 400, JSON.stringify(fault));
      assert.match(body.error as string, /^invalid request body: /, JSON.stringify(body));
    }
    const malformed = await json('POST', '/sim/faults', '{"status": 429,');
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.error as string, /malformed JSON/);
    assert.deepEqual((await json('GET', '/sim/faults')).body, { faults: [] });

    const created = await json('POST', '/sim/faults', { to: TO, status: 400, code: 21211, times: 2 });
    assert.equal(created.status, 201);
    assert.match(created.body.id as string, /^fault-\d+$/);
    await json('POST', '/sim/faults', { status: 201, code: 30006, latencyMs: 5 });
    assert.deepEqual(
      ((await json('GET', '/sim/faults')).body.faults as Json[]).map((f) => [f.to, f.status, f.code, f.remaining]),
      [
        [TO, 400, 21211, 2],
        [null, 201, 30006, null],
      ],
    );
    const refused = await send({ To: TO, From: FROM, Body: 'hello' });
    assert.deepEqual(refused, {
      status: 400,
      body: { code: 21211, message: "The 'To' number is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 },
    });
    const slowButAccepted = await send({ To: '+14155550111', From: FROM, Body: 'hello' });
    assert.equal(slowButAccepted.status, 201);
    assert.equal(((await json('GET', '/sim/faults')).body.faults as Json[])[0]!.remaining, 1);
    assert.equal((await json('DELETE', `/sim/faults/${created.body.id as string}`)).status, 200);
    assert.equal((await json('DELETE', `/sim/faults/${created.body.id as string}`)).status, 404);
    assert.deepEqual(await json('DELETE', '/sim/faults'), { status: 200, body: { faults: [] } });
    assert.equal((await send({ To: TO, From: FROM, Body: 'hello' })).status, 201);
  });

  it('validates messaging-service registrations', async () => {
    assert.equal((await json('POST', '/sim/messaging-services', { sid: 'MGnothex', numbers: [FROM] })).status, 400);
    assert.equal((await json('POST', '/sim/messaging-services', { sid: MG, numbers: [] })).status, 400);
    assert.equal((await json('POST', '/sim/messaging-services', { sid: MG, numbers: ['415'] })).status, 400);
    assert.deepEqual(await json('POST', '/sim/messaging-services', { sid: MG, numbers: [FROM] }), { status: 201, body: { sid: MG, numbers: [FROM] } });
  });

  it("authenticates the Twilio API with HTTP Basic, answering Twilio's 20003", async () => {
    const wrongToken = await send({ To: TO, From: FROM, Body: 'hello' }, `${sim.accountSid}:${'0'.repeat(32)}`);
    assert.deepEqual(wrongToken, {
      status: 401,
      body: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 },
    });
    const response = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Messages.json`);
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as Json).code, 20003);
    assert.equal((await send({ To: TO, From: FROM, Body: 'hello' }, `AC${'1'.repeat(32)}:${sim.authToken}`)).status, 401);
    const otherAccount = await send({ To: TO, From: FROM, Body: 'hello' }, undefined, `AC${'1'.repeat(32)}`);
    assert.deepEqual([otherAccount.status, otherAccount.body.code], [404, 20404]);
    assert.deepEqual((await json('GET', '/sim/messages')).body, { messages: [] });
  });

  it("refuses invalid sends with Twilio's codes", async () => {
    const cases: [Record<string, string>, number][] = [
      [{ From: FROM, Body: 'x' }, 21604],
      [{ To: 'not a number', From: FROM, Body: 'x' }, 21211],
      [{ To: '0044123', From: FROM, Body: 'x' }, 21211],
      [{ To: TO, Body: 'x' }, 21603],
      [{ To: TO, From: 'not!valid', Body: 'x' }, 21606],
      [{ To: TO, MessagingServiceSid: 'MG123', Body: 'x' }, 21701],
      // Twilio's 21211 page: a Twilio number cannot message itself.
      [{ To: FROM, From: FROM, Body: 'x' }, 21211],
      [{ To: TO, From: FROM }, 21602],
      [{ To: TO, From: FROM, Body: '' }, 21602],
      [{ To: TO, From: FROM, Body: 'x'.repeat(1601) }, 21617],
      [{ To: TO, From: FROM, Body: 'x', StatusCallback: 'not a url' }, 21609],
    ];
    for (const [form, code] of cases) {
      const { status, body } = await send(form);
      assert.deepEqual([status, body.code, body.status], [400, code, 400], JSON.stringify(form));
      assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${code}`);
      assert.equal(typeof body.message, 'string');
    }
    assert.equal((await send({ To: TO, From: FROM, Body: 'x'.repeat(1600) })).status, 201);
    assert.equal((await send({ To: TO, From: FROM, MediaUrl: 'https://example.com/a.png' })).status, 201);
  });

  it('answers unknown paths with 404 JSON and stays up on garbage', async () => {
    assert.equal((await json('GET', '/nope')).status, 404);
    assert.equal((await json('GET', '/sim/nope')).status, 404);
    assert.equal((await json('PUT', '/sim/messages')).status, 404);
    const unknownApi = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}` },
    });
    assert.deepEqual([unknownApi.status, ((await unknownApi.json()) as Json).code], [404, 20404]);
    const tooLarge = await json('POST', '/sim/faults', JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(tooLarge.status, 413);

    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(sim.port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.deepEqual(await json('GET', '/health'), { status: 200, body: { status: 'ok' } });
  });
});
