import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type twilio from 'twilio';
import { DEFAULT_REPLIES } from './opt-outs.js';
import { startSimulator, type Simulator } from './server.js';
import { rejection, sdkClientFor } from './test-support/twilio-sdk-client.js';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.js';
import { callSim, MG } from './test-support/fixtures.js';

const HANDSET = '+14155550100';
const OTHER_HANDSET = '+14155550111';
const POOL = ['+14155550198', '+14155550199'];
const LONE_NUMBER = '+14155550177';

/**
 * Twilio's opt-out handling through the official SDK: error 21610's page
 * (https://www.twilio.com/docs/api/errors/21610: refused "until the subscriber ... has responded
 * with START"), "Twilio support for opt-out keywords" (single-word STOP-family replies, Twilio's
 * standard confirmation, START/YES/UNSTOP), Messaging Services opt-out (per service when the
 * number is in one) and Advanced Opt-Out (custom keywords, OptOutType, who answers).
 */
describe("Twilio's opt-out list in the simulator", () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let client: twilio.Twilio;

  const text = async (from: string, to: string, body: string): Promise<Record<string, string>> => {
    const answer = await callSim(sim, 'POST', '/sim/inbound', { from, to, body });
    assert.equal(answer.status, 200);
    const [hook] = await receiver.waitFor(1, (h) => h.params.MessageSid === answer.body.sid);
    return hook!.params;
  };

  before(async () => {
    receiver = await startWebhookReceiver();
    sim = await startSimulator({ callbackDelayMs: 5, inboundWebhookUrl: `${receiver.url}/twilio/inbound`, log: () => undefined });
    client = sdkClientFor(sim);
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(() => sim.reset());

  it('answers a STOP to a lone number with its confirmation and refuses that number 21610 until START; other numbers and handsets are not touched', async () => {
    await client.messages.create({ to: HANDSET, from: LONE_NUMBER, body: 'Acme Dental: 20% off. Reply STOP to opt out.' });
    const hook = await text(HANDSET, LONE_NUMBER, ' stop ');
    assert.equal(hook.Body, ' stop ', 'the STOP is still passed on to the webhook');
    assert.equal(hook.OptOutType, undefined, 'a number in no Messaging Service has no Advanced Opt-Out');
    assert.deepEqual(
      sim.messages(HANDSET).map((m) => [m.from, m.body]),
      [
        [LONE_NUMBER, 'Acme Dental: 20% off. Reply STOP to opt out.'],
        [LONE_NUMBER, DEFAULT_REPLIES.STOP],
      ],
      "Twilio's own confirmation reached the handset",
    );

    const refused = await rejection(client.messages.create({ to: HANDSET, from: LONE_NUMBER, body: 'Acme Dental: you are unsubscribed.' }));
    assert.deepEqual([refused.status, refused.code], [400, 21610]);
    assert.equal((await client.messages.create({ to: HANDSET, from: POOL[0]!, body: 'from another number' })).status, 'queued');
    assert.equal((await client.messages.create({ to: OTHER_HANDSET, from: LONE_NUMBER, body: 'to another handset' })).status, 'queued');

    await text(HANDSET, LONE_NUMBER, 'STOP');
    assert.equal(sim.messages(HANDSET).filter((m) => m.body === DEFAULT_REPLIES.STOP).length, 1, 'a second STOP gets no second confirmation');

    await text(HANDSET, LONE_NUMBER, 'Unstop');
    assert.equal(sim.messages(HANDSET).at(-1)?.body, DEFAULT_REPLIES.START);
    assert.equal((await client.messages.create({ to: HANDSET, from: LONE_NUMBER, body: 'welcome back' })).status, 'queued');
  });

  it('takes each of the STOP-family keywords, as single words only', async () => {
    for (const [i, word] of ['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'OPTOUT'].entries()) {
      const number = `+1415555020${i}`;
      await text(HANDSET, number, word);
      assert.equal((await rejection(client.messages.create({ to: HANDSET, from: number, body: 'x' }))).code, 21610, word);
    }
    await text(HANDSET, LONE_NUMBER, 'please stop');
    assert.equal((await client.messages.create({ to: HANDSET, from: LONE_NUMBER, body: 'not an opt-out keyword' })).status, 'queued');
  });

  it('opts the handset out of the whole Messaging Service, whichever of its numbers was written to or sends', async () => {
    await callSim(sim, 'POST', '/sim/messaging-services', { sid: MG, numbers: POOL });
    const hook = await text(HANDSET, POOL[1]!, 'STOP');
    assert.equal(hook.OptOutType, 'STOP');
    assert.equal(hook.MessagingServiceSid, MG);
    assert.equal(sim.messages(HANDSET).at(-1)?.messagingServiceSid, MG, "Twilio's confirmation comes from the service");

    for (const send of [{ messagingServiceSid: MG }, { from: POOL[0]! }, { messagingServiceSid: MG, from: POOL[1]! }]) {
      const refused = await rejection(client.messages.create({ to: HANDSET, body: 'Acme Dental: offer', ...send }));
      assert.deepEqual([refused.status, refused.code], [400, 21610], JSON.stringify(send));
    }
    assert.deepEqual((await callSim(sim, 'GET', '/sim/opt-outs')).body, { optOuts: [{ scope: MG, handset: HANDSET }] });

    await text(HANDSET, POOL[0]!, 'YES');
    assert.equal((await client.messages.create({ to: HANDSET, messagingServiceSid: MG, body: 'Acme Dental: welcome back' })).status, 'accepted');
  });

  it("reads the service's custom Advanced Opt-Out keywords, and leaves the confirmation to the application when it says so: one send passes, then 21610", async () => {
    const registered = await callSim(sim, 'POST', '/sim/messaging-services', {
      sid: MG,
      numbers: POOL,
      advancedOptOut: { keywords: { STOP: ['Arrêt'], START: ['Reprendre'] }, optOutReply: 'application' },
    });
    assert.equal(registered.status, 201);
    const hook = await text(HANDSET, POOL[0]!, 'ARRÊT');
    assert.equal(hook.OptOutType, 'STOP');
    assert.deepEqual(sim.messages(HANDSET), [], 'Twilio sent no confirmation of its own');

    const confirmation = await client.messages.create({ to: HANDSET, messagingServiceSid: MG, body: 'Acme Dental: you are unsubscribed. Reply START to resubscribe.' });
    assert.equal(confirmation.status, 'accepted', "the application's confirmation goes out");
    const refused = await rejection(client.messages.create({ to: HANDSET, messagingServiceSid: MG, body: 'Acme Dental: a second confirmation' }));
    assert.deepEqual([refused.status, refused.code], [400, 21610]);

    await text(HANDSET, POOL[1]!, 'reprendre');
    assert.ok(!sim.messages(HANDSET).some((m) => m.body === DEFAULT_REPLIES.START), 'the application answers START too: Twilio sends no reply of its own');
    assert.equal((await client.messages.create({ to: HANDSET, messagingServiceSid: MG, body: 'Acme Dental: offer' })).status, 'accepted');
  });

  it('refuses bad Advanced Opt-Out settings with 400 naming them, and forgets opt-outs on reset', async () => {
    const bad = await callSim(sim, 'POST', '/sim/messaging-services', { sid: MG, numbers: POOL, advancedOptOut: { optOutReply: 'nobody', keywords: { STOP: ['two words'] } } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error as string, /advancedOptOut\.optOutReply/);
    assert.match(bad.body.error as string, /advancedOptOut\.keywords\.STOP\.0: must be a single word/);
    await text(HANDSET, LONE_NUMBER, 'STOP');
    sim.reset();
    assert.equal((await client.messages.create({ to: HANDSET, from: LONE_NUMBER, body: 'after reset' })).status, 'queued');
  });
});
