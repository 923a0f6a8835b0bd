import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOPICS } from '@sms/contracts';
import { aTenant, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { aReminder } from '../test-support/reminders.js';
import type { SimulatorClient } from '../test-support/simulator-client.js';

// The dispatcher's status callback address has nobody listening (as when intake is down longer
// than Twilio retries): every callback is lost. The lookup must still bring each message to
// the final state Twilio knows, once.
const stack = testStack();
const world = new DispatchWorld(stack);
const kafka = testKafka(stack.kafkaBrokers);
const statuses = new TopicTap(kafka, TOPICS.status);

const tenantId = uniqueTenantId();
const brand = 'Acme Dental';
const shortCode = uniqueNumber('415');
const tenant = aTenant({ tenantId, brands: [{ name: brand }], senders: [{ number: shortCode, type: 'short_code', brand }] });

const rig = new DispatcherRig(stack, world, [statuses]);
let sim: SimulatorClient;

const message = () => aReminder(tenantId, brand, shortCode);

describe('delivery states whose callbacks were lost', () => {
  before(async () => {
    sim = await rig.start('lookup', [tenant]);
    await rig.dispatcher('lookup', { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z', DELIVERY_CHECK_AFTER_MS: '1500' });
  });

  after(() => rig.stop());

  it('looks them up at Twilio and publishes the final state once, with its error code', async () => {
    const delivered = message();
    const undelivered = message();
    await sim.fault({ to: undelivered.message.to, status: 201, code: 30003 });
    await world.cleared(delivered, undelivered);

    const final = await waitFor(
      'both final states from the lookup',
      async () => {
        const found = statuses.records.map((r) => r.value!).filter((s) => s.source === 'twilio-lookup' && ['delivered', 'undelivered'].includes(s.status));
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const [sentD] = await sim.messages(delivered.message.to);
    const [sentU] = await sim.messages(undelivered.message.to);
    const ofD = final.find((s) => s.messageId === delivered.id);
    const ofU = final.find((s) => s.messageId === undelivered.id);
    assert.equal(ofD?.status, 'delivered');
    assert.equal(ofD?.twilioSid, sentD?.sid);
    assert.equal(ofU?.status, 'undelivered');
    assert.equal(ofU?.errorCode, 30003);
    assert.equal(ofU?.twilioSid, sentU?.sid);

    // The ledger records them as final, so they are not asked about again.
    const rows = await waitFor('the ledger to hold the final states', async () => {
      const r = await world.ledger([delivered.id, undelivered.id]);
      return r.every((x) => x.delivery_status === 'delivered' || x.delivery_status === 'undelivered') ? r : undefined;
    });
    assert.equal(rows.length, 2);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const lookups = statuses.records.filter((r) => r.value?.source === 'twilio-lookup' && [delivered.id, undelivered.id].includes(r.value.messageId));
    assert.equal(lookups.filter((r) => r.value!.messageId === delivered.id && r.value!.status === 'delivered').length, 1, 'delivered published once');
    assert.equal(lookups.filter((r) => r.value!.messageId === undelivered.id && r.value!.status === 'undelivered').length, 1, 'undelivered published once');
  });
});
