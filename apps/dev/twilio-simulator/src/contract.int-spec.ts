import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MESSAGE_STATUSES } from './message-store.js';
import { CREATE_MESSAGE_PARAMETERS, LIST_MESSAGE_PARAMETERS } from './messages-api.js';
import { startSimulator, type Simulator } from './server.js';
import { contractErrors, CREATE_REQUEST_SCHEMA, LIST_QUERY_PARAMETERS, LIST_RESPONSE_SCHEMA, MESSAGE_SCHEMA, STATUS_ENUM } from './test-support/twilio-contract.js';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.js';
import { FROM, type Json, MG, TO } from './test-support/fixtures.js';

describe("the simulator against Twilio's OpenAPI description", () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let api: string;
  let auth: string;
  const statusesSeen = new Set<string>();

  const call = async (method: string, path: string, form?: Record<string, string | string[]>): Promise<{ status: number; body: Json }> => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form ?? {})) for (const v of [value].flat()) body.append(name, v);
    const response = await fetch(`${sim.url}${api}${path}`, {
      method,
      headers: { authorization: auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body } : {}),
    });
    const json = (await response.json()) as Json;
    for (const m of [json, ...((json.messages as Json[] | undefined) ?? [])]) if (typeof m.status === 'string') statusesSeen.add(m.status);
    return { status: response.status, body: json };
  };

  const assertMessage = (body: Json): void => {
    assert.deepEqual(contractErrors('message', body), [], `conforms to api.v2010.account.message: ${JSON.stringify(body)}`);
    // Twilio's schema lists no required properties; Twilio sends every one of them (null when unknown), and nothing else.
    assert.deepEqual(Object.keys(body).sort(), Object.keys(MESSAGE_SCHEMA.properties).sort());
  };

  before(async () => {
    sim = await startSimulator({ callbackDelayMs: 5, log: () => undefined });
    receiver = await startWebhookReceiver();
    api = `/2010-04-01/Accounts/${sim.accountSid}`;
    auth = `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`;
    await fetch(`${sim.url}/sim/messaging-services`, { method: 'POST', body: JSON.stringify({ sid: MG, numbers: ['+14155550201'] }) });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });

  it('reads only CreateMessage and ListMessage parameters that Twilio declares', () => {
    const declared = Object.keys(CREATE_REQUEST_SCHEMA.properties);
    for (const name of CREATE_MESSAGE_PARAMETERS) assert.ok(declared.includes(name), `${name} is a CreateMessage parameter`);
    for (const name of CREATE_REQUEST_SCHEMA.required ?? []) assert.ok((CREATE_MESSAGE_PARAMETERS as readonly string[]).includes(name), `required ${name} is read`);
    for (const name of LIST_MESSAGE_PARAMETERS) assert.ok(LIST_QUERY_PARAMETERS.includes(name), `${name} is a ListMessage query parameter`);
  });

  it('has a validator with teeth: it rejects what Twilio would never send', async () => {
    const { body } = await call('POST', '/Messages.json', { To: TO, From: FROM, Body: 'probe' });
    assertMessage(body);
    const broken = { ...body, status: 'bogus', date_created: new Date().toISOString(), num_segments: 1, sid: 'XX1' };
    const errors = contractErrors('message', broken).join('\n');
    for (const field of ['status', 'date_created', 'num_segments', 'sid']) assert.match(errors, new RegExp(`/${field} `), field);
    assert.notDeepEqual(contractErrors('list', { messages: [broken], page: '0' }), []);
  });

  it('only ever reports statuses of message_enum_status', () => {
    for (const status of MESSAGE_STATUSES) assert.ok(STATUS_ENUM.includes(status), `${status} is a Twilio message status`);
  });

  it('answers create with a conforming Message resource, for every kind of send', async () => {
    const sends: Record<string, string | string[]>[] = [
      { To: TO, From: FROM, Body: 'Hello', StatusCallback: `${receiver.url}/status` },
      { To: TO, MessagingServiceSid: MG, Body: 'Grüße 👍 '.repeat(20) },
      { To: TO, MessagingServiceSid: 'MG' + 'e'.repeat(32), Body: 'unknown pool: from is null' },
      { To: TO, From: 'ACME', Body: 'alphanumeric sender', ValidityPeriod: '600', SmartEncoded: 'true', Undeclared: 'ignored' },
      { To: TO, From: FROM, MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'] },
    ];
    const before = sim.messages(TO).length;
    for (const form of sends) {
      const { status, body } = await call('POST', '/Messages.json', form);
      assert.equal(status, 201, JSON.stringify(body));
      assertMessage(body);
    }
    const created = sim.messages(TO).slice(before);
    assert.equal(created.length, sends.length);
    assert.equal(created[1]?.numSegments, 3, '180 UCS-2 code units: 3 segments of 67');
  });

  it('answers fetch with a conforming resource, before and after delivery ends, including delivery errors', async () => {
    await fetch(`${sim.url}/sim/faults`, { method: 'POST', body: JSON.stringify({ to: TO, status: 201, code: 30007, times: 1 }) });
    const filtered = await call('POST', '/Messages.json', { To: TO, From: FROM, Body: 'filtered', StatusCallback: `${receiver.url}/status` });
    const delivered = await call('POST', '/Messages.json', { To: TO, From: FROM, Body: 'delivered', StatusCallback: `${receiver.url}/status` });
    const sids = [filtered.body.sid as string, delivered.body.sid as string];
    const fetchBoth = async (): Promise<Json[]> => Promise.all(sids.map(async (sid) => (await call('GET', `/Messages/${sid}.json`)).body));
    for (const body of await fetchBoth()) assertMessage(body);
    await receiver.waitFor(2, (hook) => sids.includes(hook.params.MessageSid ?? '') && ['undelivered', 'delivered'].includes(hook.params.MessageStatus ?? ''));
    const [undeliveredBody, deliveredBody] = await fetchBoth();
    assertMessage(undeliveredBody!);
    assertMessage(deliveredBody!);
    assert.deepEqual([undeliveredBody!.status, undeliveredBody!.error_code, undeliveredBody!.error_message], ['undelivered', 30007, 'Carrier violation']);
    assert.deepEqual([deliveredBody!.status, deliveredBody!.error_code], ['delivered', null]);
  });

  it('answers fetch with a conforming resource for messages the account and registration limits stopped (63038, 30022, 30032, 30034)', async () => {
    const codes = [63038, 30022, 30032, 30034];
    for (const code of codes) await fetch(`${sim.url}/sim/faults`, { method: 'POST', body: JSON.stringify({ to: TO, status: 201, code, times: 1 }) });
    const sids: string[] = [];
    for (const code of codes) {
      const created = await call('POST', '/Messages.json', { To: TO, From: FROM, Body: `limit ${code}`, StatusCallback: `${receiver.url}/status` });
      assertMessage(created.body);
      sids.push(created.body.sid as string);
    }
    await receiver.waitFor(codes.length, (hook) => sids.includes(hook.params.MessageSid ?? '') && ['failed', 'undelivered'].includes(hook.params.MessageStatus ?? ''));
    for (const [i, sid] of sids.entries()) {
      const { body } = await call('GET', `/Messages/${sid}.json`);
      assertMessage(body);
      assert.equal(body.error_code, codes[i]);
      assert.doesNotMatch(body.error_message as string, /^Simulated/, "Twilio's own wording");
    }
  });

  it('answers list with a conforming ListMessageResponse, with filters and paging', async () => {
    const pages: Json[] = [];
    let next: string | null = `/Messages.json?To=${encodeURIComponent(TO)}&PageSize=3`;
    while (next) {
      const { status, body }: { status: number; body: Json } = await call('GET', next);
      assert.equal(status, 200);
      pages.push(body);
      next = typeof body.next_page_uri === 'string' ? body.next_page_uri.slice(api.length) : null;
    }
    assert.ok(pages.length >= 3, 'several pages');
    for (const page of pages) {
      assert.deepEqual(contractErrors('list', page), [], JSON.stringify(page));
      assert.deepEqual(Object.keys(page).sort(), Object.keys(LIST_RESPONSE_SCHEMA.properties).sort());
      for (const m of page.messages as Json[]) assertMessage(m);
    }
    const all = pages.flatMap((p) => p.messages as Json[]);
    assert.equal(all.length, sim.messages(TO).length);
    assert.deepEqual(
      all.map((m) => m.sid),
      sim
        .messages(TO)
        .map((m) => m.sid)
        .reverse(),
      'newest first',
    );
    const today = new Date().toISOString().slice(0, 10);
    for (const query of [`DateSent=${today}`, `DateSent%3E=${today}`, `DateSent%3C=2000-01-01`, `From=${encodeURIComponent(FROM)}`, 'Page=0&PageSize=1000']) {
      const { body } = await call('GET', `/Messages.json?${query}`);
      assert.deepEqual(contractErrors('list', body), [], query);
    }
    assert.equal(((await call('GET', '/Messages.json?DateSent%3C=2000-01-01')).body.messages as Json[]).length, 0);
  });

  it('answers fetch and list with conforming resources for inbound messages (direction inbound, status received)', async () => {
    const posted = await fetch(`${sim.url}/sim/inbound`, { method: 'POST', body: JSON.stringify({ from: TO, to: '+14155550201', body: 'STOP', webhookUrl: `${receiver.url}/twilio/inbound` }) });
    const { sid } = (await posted.json()) as { sid: string };
    const fetched = await call('GET', `/Messages/${sid}.json`);
    assert.equal(fetched.status, 200);
    assertMessage(fetched.body);
    assert.deepEqual([fetched.body.direction, fetched.body.status, fetched.body.from, fetched.body.to], ['inbound', 'received', TO, '+14155550201']);
    assert.equal(typeof fetched.body.date_sent, 'string');
    const today = new Date().toISOString().slice(0, 10);
    const { body } = await call('GET', `/Messages.json?To=${encodeURIComponent('+14155550201')}&DateSent%3E=${today}`);
    assert.deepEqual(contractErrors('list', body), [], JSON.stringify(body));
    assert.deepEqual(
      (body.messages as Json[]).map((m) => m.sid),
      [sid],
    );
  });

  it('saw only statuses of message_enum_status', () => {
    assert.ok(statusesSeen.size >= 3, [...statusesSeen].join());
    for (const status of statusesSeen) assert.ok(STATUS_ENUM.includes(status), status);
  });
});
