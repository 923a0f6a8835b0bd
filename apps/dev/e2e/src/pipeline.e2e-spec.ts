import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { call, testStack, waitFor } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const pipeline = new Pipeline(testStack());

describe('the path of a message', () => {
  let tenant: Awaited<ReturnType<Pipeline['newTenant']>>;
  before(async () => {
    tenant = await pipeline.newTenant();
  });

  it('goes from the HTTP API through all stages to the simulator, and its delivery comes back to audit', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const body = `Acme Dental: 15% off whitening until Friday. Reply STOP to opt out. ${Date.now()}`;
    const id = await pipeline.send(tenant, { to, body });

    const [sent] = await waitFor('the simulator to receive the message', async () => {
      const messages = await pipeline.simMessages(to);
      return messages.length > 0 ? messages : undefined;
    });
    assert.equal(sent?.body, body);
    assert.equal(sent?.from, tenant.senders[0]);

    // The stages' decisions reach audit on the cleared envelope's topic, the statuses on theirs:
    // the view can show delivered before it shows the decisions.
    const view = await pipeline.waitForView(tenant, id, 'to be delivered with the three stages decided', (v) => v.status === 'delivered' && v.decisions.length >= 3);
    assert.equal(view.twilioSid, sent?.sid);
    assert.deepEqual(
      view.decisions.map((d) => [d.stage, d.decision]),
      [
        ['consent', 'pass'],
        ['content-screening', 'pass'],
        ['snowshoeing-detector', 'pass'],
      ],
    );
    assert.ok(
      view.decisions.every((d) => d.clauses.length > 0),
      'every decision cites a clause',
    );
    assert.deepEqual(
      view.statuses.map((s) => s.status),
      ['accepted', 'sending', 'sent', 'delivered'],
    );
  });

  it('is blocked at consent when there is no consent for the recipient (MP.CONSENT.PRIOR)', async () => {
    const to = pipeline.recipient();
    const id = await pipeline.send(tenant, { to, body: 'Acme Dental: new patients get a free check-up. Reply STOP to opt out.' });
    const view = await pipeline.waitForStatus(tenant, id, ['blocked']);
    assert.equal(view.decisions.at(-1)?.stage, 'consent');
    assert.deepEqual(view.decisions.at(-1)?.clauses, ['MP.CONSENT.PRIOR']);
    assert.deepEqual(await pipeline.simMessages(to), []);
  });

  it('is blocked when consent covers another campaign only (MP.CONSENT.SCOPE)', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to, 'reminders', 'prior_relationship');
    const id = await pipeline.send(tenant, { to, body: 'Acme Dental: whitening special this week. Reply STOP to opt out.' });
    const view = await pipeline.waitForStatus(tenant, id, ['blocked']);
    assert.ok(view.decisions.at(-1)?.clauses.includes('MP.CONSENT.SCOPE'));
  });

  it('stops everything to a person after an inbound STOP through the Twilio webhook (MP.OPTOUT.HONOR)', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const first = await pipeline.send(tenant, { to, body: `Acme Dental: spring offer. Reply STOP to opt out. ${Date.now()}` });
    await pipeline.waitForStatus(tenant, first, ['delivered']);

    await pipeline.reply(tenant, to, ' Stop ');
    const consent = await waitFor('consent to record the opt-out', async () => {
      const answer = await fetch(`${pipeline.stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, {
        headers: { authorization: `Bearer ${tenant.apiKey}` },
      });
      const view = (await answer.json()) as { state: { optedOut: boolean } };
      return view.state.optedOut ? view : undefined;
    });
    assert.equal(consent.state.optedOut, true);

    const second = await pipeline.send(tenant, { to, body: 'Acme Dental: last chance for the spring offer.' });
    const view = await pipeline.waitForStatus(tenant, second, ['blocked']);
    assert.deepEqual(view.decisions.at(-1)?.clauses, ['MP.OPTOUT.HONOR']);
    // The simulator has no pool for the tenant's service: Twilio treats the number alone, answers the
    // STOP itself and refuses the gateway's confirmation with 21610, so the person has Twilio's only.
    assert.deepEqual(
      (await pipeline.simMessages(to)).map((m) => (m.body.startsWith('You have successfully been unsubscribed.') ? "Twilio's confirmation" : m.body)).slice(1),
      ["Twilio's confirmation"],
      "only the message before the STOP and Twilio's confirmation reached the person",
    );
  });

  it("honours a custom opt-out keyword that Twilio's Advanced Opt-Out read as STOP (OptOutType), in any language", async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    await pipeline.reply(tenant, to, 'Arrêt', { optOutType: 'STOP' });
    await waitFor('consent to record the opt-out', async () => {
      const answer = await call<{ state: { optedOut: boolean } }>(`${pipeline.stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, {
        apiKey: tenant.apiKey,
      });
      return answer.body.state.optedOut ? true : undefined;
    });
    const id = await pipeline.send(tenant, { to, body: 'Acme Dental: spring offer. Reply STOP to opt out.' });
    const view = await pipeline.waitForStatus(tenant, id, ['blocked']);
    assert.deepEqual(view.decisions.at(-1)?.clauses, ['MP.OPTOUT.HONOR']);
  });

  it('is blocked at content screening for cannabis to a US number (MP.CONTENT.CANNABIS)', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const id = await pipeline.send(tenant, { to, body: 'Acme Dental: relax before your visit with our CBD gummies! Reply STOP to opt out.' });
    const view = await pipeline.waitForStatus(tenant, id, ['blocked']);
    const last = view.decisions.at(-1);
    assert.equal(last?.stage, 'content-screening');
    assert.deepEqual(last?.clauses, ['MP.CONTENT.CANNABIS']);
    assert.match(last?.reason ?? '', /CBD gummies/);
    assert.deepEqual(await pipeline.simMessages(to), []);
  });

  it('refuses a sender number the tenant has not registered, naming body.from, instead of counting it as snowshoeing', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const typo = await call<{ type: string; errors: { path: string; message: string }[] }>(`${pipeline.stack.urls.intake}/v1/messages`, {
      apiKey: tenant.apiKey,
      body: { to, from: '+14155559999', brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: offer. Reply STOP to opt out.' },
    });
    assert.equal(typo.status, 400);
    assert.match(typo.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.deepEqual(
      typo.body.errors.map((e) => e.path),
      ['body.from'],
    );
    const other = await pipeline.newTenant();
    const foreign = await call<{ errors: { path: string }[] }>(`${pipeline.stack.urls.intake}/v1/messages`, {
      apiKey: tenant.apiKey,
      body: { to, messagingServiceSid: other.messagingServiceSid, brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: offer. Reply STOP to opt out.' },
    });
    assert.equal(foreign.status, 400);
    assert.deepEqual(
      foreign.body.errors.map((e) => e.path),
      ['body.messagingServiceSid'],
    );
  });

  it('reports a Twilio refusal as failed with its error code', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const fault = await fetch(`${pipeline.stack.urls['twilio-simulator']}/sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to, status: 400, code: 21211, times: 1 }),
    });
    assert.equal(fault.status, 201);
    const id = await pipeline.send(tenant, { to, body: 'Acme Dental: offer. Reply STOP to opt out.' });
    const view = await pipeline.waitForStatus(tenant, id, ['failed']);
    assert.equal(view.statuses.at(-1)?.errorCode, 21211);
  });
});
