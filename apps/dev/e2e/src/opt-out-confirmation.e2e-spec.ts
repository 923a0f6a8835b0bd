import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import twilio from 'twilio';
import { call, registerTenant, testStack, waitFor, type TestTenant } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);

/** Twilio's standard opt-out confirmation, as the simulator sends it for Twilio. */
const TWILIO_CONFIRMATION = /^You have successfully been unsubscribed\./;
/** The gateway's own confirmation (consent's wording). */
const GATEWAY_CONFIRMATION = /^Acme Dental: You are unsubscribed/;

/** The official SDK, pointed at the simulator: the same Messaging Service sending outside the gateway. */
class SimulatorRequestClient extends twilio.RequestClient {
  override request: InstanceType<typeof twilio.RequestClient>['request'] = (options) => {
    const target = new URL(options.uri);
    const sim = new URL(stack.urls['twilio-simulator']);
    target.protocol = sim.protocol;
    target.host = sim.host;
    return super.request({ ...options, uri: target.toString() });
  };
}
const twilioClient = twilio(stack.twilio.accountSid, stack.twilio.authToken, { httpClient: new SimulatorRequestClient(), autoRetry: false });

async function optEvents(tenant: TestTenant, to: string): Promise<{ kind: string; source: string }[]> {
  const answer = await call<{ optEvents: { kind: string; source: string }[] }>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, {
    apiKey: tenant.apiKey,
  });
  return answer.body.optEvents;
}

/**
 * MP.OPTOUT.HONOR: after a STOP the person gets exactly one confirmation, whoever sends it.
 * Twilio keeps its own opt-out list per Messaging Service (error 21610's page: refused "until
 * the subscriber ... has responded with START") and, with its standard handling, answers the
 * STOP itself; the tenant's `optOutConfirmation` says which of the two answers.
 */
for (const setting of ['twilio', 'gateway'] as const) {
  describe(`an inbound STOP with optOutConfirmation: ${setting}`, () => {
    it('reaches the handset with exactly one confirmation, blocks later marketing, and START lets it through again', async () => {
      const tenant = await registerTenant(stack, { settings: { optOutScope: 'brand', optOutConfirmation: setting } });
      // The tenant's Messaging Service at "Twilio", its Advanced Opt-Out set to match the tenant's setting.
      const pool = await call(`${stack.urls['twilio-simulator']}/sim/messaging-services`, {
        body: { sid: tenant.messagingServiceSid, numbers: tenant.senders, advancedOptOut: { optOutReply: setting === 'twilio' ? 'twilio' : 'application' } },
      });
      assert.equal(pool.status, 201);
      const to = pipeline.recipient();
      await pipeline.consent(tenant, to);
      const before = await pipeline.send(tenant, { to, body: `Acme Dental: spring offer. Reply STOP to opt out. ${Date.now()}` });
      await pipeline.waitForStatus(tenant, before, ['delivered']);

      await pipeline.reply(tenant, to, 'STOP');
      const confirmations = async () => (await pipeline.simMessages(to)).filter((m) => /unsubscribed\b/.test(m.body));
      const [confirmation] = await waitFor('the opt-out confirmation at the handset', async () => {
        const found = await confirmations();
        return found.length > 0 ? found : undefined;
      });
      assert.match(confirmation!.body, setting === 'twilio' ? TWILIO_CONFIRMATION : GATEWAY_CONFIRMATION);
      if (setting === 'gateway')
        await waitFor('our confirmation to be delivered', async () => ((await pipeline.simMessages(to)).find((m) => m.sid === confirmation!.sid && m.status === 'delivered') ? true : undefined));

      // Twilio refuses the service's sends to the handset now: any further confirmation could not get through.
      const refused = await twilioClient.messages.create({ to, messagingServiceSid: tenant.messagingServiceSid, body: 'Acme Dental: a second confirmation' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(refused instanceof twilio.RestException && refused.code === 21610, `Twilio refuses with 21610, got ${String(refused)}`);

      const later = await pipeline.send(tenant, { to, body: 'Acme Dental: last chance for the spring offer. Reply STOP to opt out.' });
      const blocked = await pipeline.waitForStatus(tenant, later, ['blocked']);
      assert.deepEqual(blocked.decisions.at(-1)?.clauses, ['MP.OPTOUT.HONOR']);

      await pipeline.reply(tenant, to, 'START');
      await waitFor('consent to restore the consent', async () => {
        const answer = await call<{ state: { optedOut: boolean } }>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, {
          apiKey: tenant.apiKey,
        });
        return answer.body.state.optedOut ? undefined : true;
      });
      const again = await pipeline.send(tenant, { to, body: `Acme Dental: welcome back offer. Reply STOP to opt out. ${Date.now()}` });
      await pipeline.waitForStatus(tenant, again, ['delivered']);

      // The message after START went through every stage after anything sent for the STOP: by now
      // a confirmation of ours would have reached Twilio (and, Twilio having answered, failed 21610).
      assert.equal((await confirmations()).length, 1, 'exactly one opt-out confirmation reached the handset');
      assert.deepEqual(
        (await optEvents(tenant, to)).filter((e) => e.source === 'twilio_error_21610'),
        [],
        'the gateway sent no confirmation that Twilio refused',
      );
    });
  });
}
