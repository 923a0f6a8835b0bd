import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { buildOpenApi, TOPICS, type CancelRequestEvent } from '@sms/contracts';
import { call, produceRaw, registerTenant, testKafka, testStack, waitFor, type TestTenant } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);

/** Posts a Twilio webhook to intake, signed as Twilio signs it (or not, or wrongly). */
async function webhook(path: string, params: Record<string, string>, options: { sign?: 'valid' | 'none' | 'wrong-token'; tamper?: Record<string, string>; token?: string } = {}) {
  const url = `${stack.urls.intake}${path}`;
  const signature = twilio.getExpectedTwilioSignature(options.sign === 'wrong-token' ? 'not-the-auth-token-0000000000000' : stack.twilio.authToken, url, params);
  const sent = { ...params, ...options.tamper };
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.sign === 'none' ? {} : { 'x-twilio-signature': signature }),
      ...(options.token ? { 'i-twilio-idempotency-token': options.token } : {}),
    },
    body: new URLSearchParams(sent).toString(),
  });
  return { status: response.status, body: await response.text() };
}

describe('security: keys and tenants', () => {
  let a: TestTenant;
  let b: TestTenant;
  let messageOfA: string;
  let recipientOfA: string;
  before(async () => {
    [a, b] = await Promise.all([registerTenant(stack), registerTenant(stack)]);
    const to = (recipientOfA = pipeline.recipient());
    await pipeline.consent(a, to);
    messageOfA = await pipeline.send(a, { to, body: 'Acme Dental: see you Monday. Reply STOP to opt out.' });
    await pipeline.waitForStatus(a, messageOfA, ['delivered']);
  });

  it('refuses every API without a key or with a wrong one', async () => {
    const endpoints = [
      `${stack.urls.intake}/v1/messages`,
      `${stack.urls.consent}/v1/consents?to=%2B12125550123`,
      `${stack.urls.audit}/v1/messages/${messageOfA}`,
      `${stack.urls.audit}/v1/reviews`,
      `${stack.urls.consent}/v1/opt-out-reviews`,
    ];
    for (const url of endpoints) {
      const method = url.endsWith('/v1/messages') ? 'POST' : 'GET';
      const none = await call(url, { method, ...(method === 'POST' ? { body: {} } : {}) });
      assert.equal(none.status, 401, `${url} without a key`);
      const wrong = await call(url, { method, apiKey: 'sk_wrong_key', ...(method === 'POST' ? { body: {} } : {}) });
      assert.equal(wrong.status, 401, `${url} with a wrong key`);
    }
    assert.equal((await call(`${stack.urls.intake}/admin/v1/tenants/someone`, { method: 'PUT', apiKey: a.apiKey, body: {} })).status, 401, 'a tenant key is not the operator key');
  });

  it("walks every route of the OpenAPI: each refuses no key and a wrong key, operator routes refuse a tenant's key, and another tenant's key never sees this tenant's data", async () => {
    const spec = buildOpenApi({ intake: stack.urls.intake, consent: stack.urls.consent, snowshoe: stack.urls['snowshoeing-detector'], audit: stack.urls.audit }) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; servers: { url: string }[]; parameters?: { name: string; in: string; required?: boolean }[] }>>;
    };
    const day = 86_400_000;
    const checked: string[] = [];
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // Twilio's webhooks are checked by signature (below), health and metrics are public.
        if (!operation.security?.length) continue;
        const value = (name: string): string => {
          if (name === 'id' || name === 'messageId') return messageOfA;
          if (name === 'tenantId') return a.tenantId;
          if (path.startsWith('/v1/reports')) return new Date(Date.now() + (name === 'from' ? -day : day)).toISOString();
          if (name === 'to') return recipientOfA;
          return 'x';
        };
        const params = operation.parameters ?? [];
        const query = params.filter((q) => q.in === 'query' && q.required).map((q) => `${q.name}=${encodeURIComponent(value(q.name))}`);
        const url = `${operation.servers[0]!.url}${path.replace(/\{(\w+)\}/g, (_m, name: string) => value(name))}${query.length > 0 ? `?${query.join('&')}` : ''}`;
        const init = { method: method.toUpperCase(), ...(method === 'get' ? {} : { body: {} }) };
        const what = `${method.toUpperCase()} ${path}`;
        assert.equal((await call(url, init)).status, 401, `${what} without a key`);
        assert.equal((await call(url, { ...init, apiKey: 'sk_wrong_key_0000000000000000000000' })).status, 401, `${what} with a wrong key`);
        if ('adminApiKey' in operation.security[0]!) {
          assert.equal((await call(url, { ...init, apiKey: a.apiKey })).status, 401, `${what} with a tenant's key`);
        } else {
          const other = await call(url, { ...init, apiKey: b.apiKey });
          const text = JSON.stringify(other.body);
          assert.ok(!text.includes(messageOfA) || other.status >= 400, `${what} with another tenant's key shows its message: ${other.status} ${text.slice(0, 200)}`);
          assert.ok(!text.includes(a.tenantId), `${what} with another tenant's key names the tenant: ${other.status} ${text.slice(0, 200)}`);
          if (!params.some((q) => q.name === 'to')) assert.ok(!text.includes(recipientOfA), `${what} with another tenant's key shows its recipient`);
        }
        checked.push(what);
      }
    }
    // The compliance reviewers' routes are among them: a tenant's key never decides a hold or an opt-out review.
    for (const route of [
      'GET /v1/clusters',
      'PUT /admin/v1/tenants/{tenantId}',
      'POST /admin/v1/reviews/{messageId}/decision',
      'GET /admin/v1/opt-out-reviews',
      'POST /admin/v1/opt-out-reviews/{id}/decision',
    ]) {
      assert.ok(checked.includes(route), `${route} was walked: ${checked.join(', ')}`);
    }
    assert.ok(checked.length >= 22, checked.join(', '));
  });

  it("never lets one tenant read or act on another's messages, consents or reviews", async () => {
    assert.equal((await call(`${stack.urls.audit}/v1/messages/${messageOfA}`, { apiKey: b.apiKey })).status, 404);
    const decided = await call(`${stack.urls.audit}/v1/reviews/${messageOfA}/decision`, { apiKey: b.apiKey, body: { decision: 'approve', decidedBy: 'mallory' } });
    assert.equal(decided.status, 404);
    const consentsUrl = `${stack.urls.consent}/v1/consents?to=${encodeURIComponent(recipientOfA)}`;
    const ownConsents = await call<{ records: unknown[] }>(consentsUrl, { apiKey: a.apiKey });
    assert.equal(ownConsents.body.records.length, 1, 'A sees its own consent');
    const consents = await call<{ records: unknown[] }>(consentsUrl, { apiKey: b.apiKey });
    assert.equal(consents.status, 200);
    assert.deepEqual(consents.body.records, [], "B does not see A's consent");
    const wrongBrand = await call<{ errors: { path: string }[] }>(`${stack.urls.intake}/v1/messages`, {
      apiKey: b.apiKey,
      body: { to: '+12125550123', from: a.senders[0], brand: a.brand, campaign: 'offers', useCase: 'marketing', body: 'hi' },
    });
    assert.equal(wrongBrand.status, 400, "B may name a brand of the same name, but not send from A's numbers");
    assert.deepEqual(
      wrongBrand.body.errors.map((e) => e.path),
      ['body.from'],
    );
  });
});

describe('security: Twilio webhooks', () => {
  let tenant: TestTenant;
  before(async () => {
    tenant = await registerTenant(stack);
  });

  const inbound = (from: string, body: string, sid: string) => ({ MessageSid: sid, SmsSid: sid, AccountSid: stack.twilio.accountSid, From: from, To: tenant.senders[0]!, Body: body, NumMedia: '0' });

  it('accepts a correctly signed webhook once, and refuses it replayed', async () => {
    const params = inbound(pipeline.recipient(), 'Thanks!', `SM${'1'.repeat(32)}`);
    assert.equal((await webhook('/twilio/inbound', params, { token: 'replay-token-1' })).status, 200);
    assert.equal((await webhook('/twilio/inbound', params, { token: 'replay-token-1' })).status, 409, 'same idempotency token');
    const noToken = inbound(pipeline.recipient(), 'Hello', `SM${'2'.repeat(32)}`);
    assert.equal((await webhook('/twilio/inbound', noToken)).status, 200);
    assert.equal((await webhook('/twilio/inbound', noToken)).status, 409, 'same URL and parameters');
  });

  it("answers a replayed status callback as the first, and the message's history stays as it was", async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const id = await pipeline.send(tenant, { to, body: 'Acme Dental: see you Friday. Reply STOP to opt out.' });
    // Every state of it recorded first: intake's `accepted` and the dispatcher's `sending` come by
    // other producers than Twilio's callbacks, and audit may record `accepted` after `delivered`.
    const before = await pipeline.waitForView(tenant, id, 'to show accepted, sending, sent and delivered', (view) =>
      ['accepted', 'sending', 'sent', 'delivered'].every((state) => view.statuses.some((s) => s.status === state)),
    );
    const atTwilio = (await pipeline.simMessages(to))[0]!;
    const callbackUrl = atTwilio.statusCallback ?? '';
    assert.ok(callbackUrl.startsWith(stack.urls.intake), 'the callback URL the dispatcher gave Twilio');
    const path = callbackUrl.slice(stack.urls.intake.length);
    // What Twilio posted for this message, posted again: the same signed URL and fields, the same idempotency token.
    const posted = (status: string) => ({
      AccountSid: stack.twilio.accountSid,
      ApiVersion: '2010-04-01',
      MessageSid: atTwilio.sid,
      MessageStatus: status,
      SmsSid: atTwilio.sid,
      SmsStatus: status,
      To: atTwilio.to,
      ...(atTwilio.from !== null ? { From: atTwilio.from } : {}),
      ...(atTwilio.messagingServiceSid !== null ? { MessagingServiceSid: atTwilio.messagingServiceSid } : {}),
    });
    for (const status of ['queued', 'sent', 'delivered', 'delivered']) {
      assert.equal((await webhook(path, posted(status), { token: `replay-${id}-${status}` })).status, 204, `${status} replayed`);
    }
    assert.equal((await webhook(path, posted('sent'), { sign: 'wrong-token' })).status, 403, 'the signature is still checked');
    // A cancel request, on Kafka as an upstream product sends it: the dispatcher's answer (refused,
    // Twilio has it) comes on the same partition of sms.status.v1 after the replays, so once audit
    // shows it, audit has read the replays.
    const request: CancelRequestEvent = { requestId: randomUUID(), messageId: id, tenantId: tenant.tenantId, requestedBy: { channel: 'kafka', name: 'security-e2e' }, at: new Date().toISOString() };
    await produceRaw(testKafka(stack.kafkaBrokers), TOPICS.cancelRequests.name, [{ key: id, value: JSON.stringify(request) }]);
    const after = await pipeline.waitForView(tenant, id, 'to show the refused cancel', (view) => view.statuses.some((s) => s.cancellation === 'refused'));
    assert.equal(after.status, 'delivered');
    const twilioStates = (view: typeof before) => view.statuses.filter((s) => s.cancellation === undefined).map((s) => `${s.status}@${s.at}`);
    assert.deepEqual(twilioStates(after), twilioStates(before), 'no status recorded again, none moved');
    assert.deepEqual(
      twilioStates(after).map((s) => s.split('@')[0]),
      ['accepted', 'sending', 'sent', 'delivered'],
      'each state once',
    );
    assert.equal((await pipeline.simMessages(to)).length, 1, 'sent once');
  });

  it('refuses unsigned, wrongly signed and altered webhooks, and records nothing from them', async () => {
    const person = pipeline.recipient();
    await pipeline.consent(tenant, person);
    const stop = inbound(person, 'STOP', `SM${'3'.repeat(32)}`);
    assert.equal((await webhook('/twilio/inbound', stop, { sign: 'none' })).status, 403);
    assert.equal((await webhook('/twilio/inbound', stop, { sign: 'wrong-token' })).status, 403);
    const harmless = inbound(person, 'Thanks', `SM${'4'.repeat(32)}`);
    assert.equal((await webhook('/twilio/inbound', harmless, { tamper: { Body: 'STOP' } })).status, 403, 'a body changed after signing');
    const status = { MessageSid: `SM${'5'.repeat(32)}`, AccountSid: stack.twilio.accountSid, MessageStatus: 'delivered' };
    assert.equal((await webhook(`/twilio/status?m=00000000-0000-4000-8000-000000000000&t=${tenant.tenantId}`, status, { sign: 'none' })).status, 403);
    // The forged STOPs changed nothing: the person still gets messages.
    const id = await pipeline.send(tenant, { to: person, body: 'Acme Dental: offer. Reply STOP to opt out.' });
    assert.equal((await pipeline.waitForStatus(tenant, id, ['delivered', 'blocked'])).status, 'delivered');
  });
});

describe('bad input', () => {
  let tenant: TestTenant;
  before(async () => {
    tenant = await registerTenant(stack, { settings: { rateLimitPerSecond: 20 } });
  });
  const valid = () => ({ to: pipeline.recipient(), from: tenant.senders[0], brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: offer. Reply STOP to opt out.' });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    call<{ type: string; errors?: { path: string; message: string }[] }>(`${stack.urls.intake}/v1/messages`, { apiKey: tenant.apiKey, body, headers });

  it('answers each kind of bad request with a clear 4xx that says where, and sends nothing', async () => {
    const cases: [string, unknown, Record<string, string>, number, string | null][] = [
      ['a body over 1,600 characters', { ...valid(), body: 'x'.repeat(1601) }, {}, 400, 'body.body'],
      ['a national number', { ...valid(), to: '2125550123' }, {}, 400, 'body.to'],
      ['an impossible number', { ...valid(), to: '+1212' }, {}, 400, 'body.to'],
      ['an unknown field', { ...valid(), priority: 'high' }, {}, 400, 'body'],
      ['two senders', { ...valid(), messagingServiceSid: tenant.messagingServiceSid }, {}, 400, 'body.from'],
      ['an array instead of an object', [valid()], {}, 400, 'body'],
      ['control characters in a field', { ...valid(), brand: 'Acme\u0000Dental' }, {}, 400, 'body.brand'],
      ['SQL in a field', { ...valid(), campaign: "offers'; DROP TABLE intake.tenants; --" }, {}, 400, 'body.campaign'],
      ['a bad idempotency key', valid(), { 'idempotency-key': 'é'.repeat(5) }, 400, 'headers.idempotency-key'],
    ];
    for (const [what, body, headers, status, path] of cases) {
      const answer = await post(body, headers);
      assert.equal(answer.status, status, what);
      if (path)
        assert.ok(
          answer.body.errors?.some((e) => e.path === path),
          `${what}: ${JSON.stringify(answer.body)}`,
        );
    }
    const notJson = await fetch(`${stack.urls.intake}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(notJson.status, 415, 'text/plain is refused as the OpenAPI documents, not as a validation error');
    assert.match(notJson.headers.get('content-type') ?? '', /problem\+json/);
    const malformed = await fetch(`${stack.urls.intake}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' }, body: '{"to": ' });
    assert.equal(malformed.status, 400);
    const huge = await fetch(`${stack.urls.intake}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...valid(), body: 'y'.repeat(200_000) }),
    });
    assert.equal(huge.status, 413);
    const deep = await fetch(`${stack.urls.intake}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
    });
    assert.ok(deep.status >= 400 && deep.status < 500, `deeply nested JSON: ${deep.status}`);
    assert.equal((await call(`${stack.urls.intake}/health`)).status, 200, 'intake is still up');
  });

  it('limits the rate of one tenant with 429 and Retry-After', async () => {
    // 2 a second, 30 at once: only a machine taking 15 s over them would let them all through
    // (at 20 a second and 60 requests, a loaded machine spreading them over 3 s did).
    const slow = await registerTenant(stack, { settings: { rateLimitPerSecond: 2 } });
    const postAs = () => call<{ type: string }>(`${stack.urls.intake}/v1/messages`, { apiKey: slow.apiKey, body: { ...valid(), from: slow.senders[0], brand: slow.brand } });
    const answers = await Promise.all(Array.from({ length: 30 }, postAs));
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length > 0, 'some requests were limited');
    assert.ok(limited.every((a) => a.headers.get('retry-after') !== null && a.body.type === 'urn:sms-gateway:problem:rate-limited'));
    await waitFor('the limit to pass', async () => ((await postAs()).status === 202 ? true : undefined), { timeoutMs: 10_000, intervalMs: 500 });
  });
});
