import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { aTenant, testStack, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { aReminder } from '../test-support/reminders.js';
import type { SimulatorClient } from '../test-support/simulator-client.js';

// Claims in doubt: settled by looking the message up at Twilio, and only ever with a message
// that is really theirs. A short lease (2 s) and one call at a time make claims outlive it.
const stack = testStack();
const world = new DispatchWorld(stack);
const brand = 'Acme Dental';
const shortCode = uniqueNumber('415');
const tenantId = uniqueTenantId();
const tenant = aTenant({ tenantId, brands: [{ name: brand }], senders: [{ number: shortCode, type: 'short_code', brand }] });

const rig = new DispatcherRig(stack, world);
let sim: SimulatorClient;

const reminder = (to: string, body = `Acme Dental: see you tomorrow at 9. Reply STOP to opt out. ${Math.random()}`) => aReminder(tenantId, brand, shortCode, { to, body });

describe('sends in doubt', () => {
  before(async () => {
    sim = await rig.start('in-doubt', [tenant]);
    await rig.dispatcher('in-doubt', { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z', IN_DOUBT_AFTER_MS: '2000', MAX_CONCURRENT_SENDS: '1' });
  });

  after(() => rig.stop());

  it('never settles a claim with the message of another send of the same text to the same person', async () => {
    const to = uniqueNumber('212');
    const first = reminder(to);
    await world.cleared(first);
    const [sent] = await waitFor('the first reminder sent', () => world.settled([first.id], ['accepted']), { timeoutMs: 30_000 });

    // The same reminder again, claimed by an instance that crashed before its call: the ledger
    // as that crash leaves it (an instance that never renewed a lease), its claim an hour old.
    const second = randomUUID();
    await world.db.query(
      `WITH claim AS (
         INSERT INTO dispatcher.sends (message_id, tenant_id, state, sender_key, priority, due_at, segments, kind, recipient_token, traceparent, attempts, claimed_by, created_at, updated_at)
         SELECT $2::uuid, tenant_id, 'sending', sender_key, priority, now(), segments, kind, recipient_token, traceparent, 1, $3::uuid, now(), now() - interval '1 hour'
           FROM dispatcher.sends WHERE message_id = $1)
       INSERT INTO dispatcher.send_envelopes (message_id, envelope)
       SELECT $2::uuid, jsonb_set(envelope, '{id}', to_jsonb($2::text)) FROM dispatcher.send_envelopes WHERE message_id = $1`,
      [first.id, second, randomUUID()],
    );

    // Twilio has one message with that text for that person, and it is the first send's: the
    // second was never sent, so it goes back to the queue and out (attempt 2).
    const [settled] = await waitFor('the second reminder settled', () => world.settled([second], ['accepted']), { timeoutMs: 30_000 });
    const atTwilio = await sim.messages(to);
    assert.equal(atTwilio.length, 2, 'both reminders reached the person');
    assert.equal(atTwilio[0]!.body, atTwilio[1]!.body);
    assert.notEqual(settled!.twilio_sid, sent!.twilio_sid);
    assert.deepEqual(new Set([settled!.twilio_sid, sent!.twilio_sid]), new Set(atTwilio.map((m) => m.sid)));
    assert.equal(settled!.attempts, 2, 'sent again, not settled by the lookup');
  });

  it('keeps the leases of claims that wait longer than a lease for their call', async () => {
    // Twelve messages of one short code are claimed at once; each call takes 700 ms, one at a
    // time, so the last waits about 8 s, four leases.
    await sim.fault({ status: 201, latencyMs: 700 });
    const batch = Array.from({ length: 12 }, () => reminder(uniqueNumber('212')));
    await world.cleared(...batch);
    const rows = await waitFor(
      'all twelve sent',
      () =>
        world.settled(
          batch.map((m) => m.id),
          ['accepted'],
        ),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await sim.clearFaults();
    assert.deepEqual(
      rows.map((r) => r.attempts),
      Array(12).fill(1),
      'no claim was taken over and tried again',
    );
    for (const m of batch) assert.equal((await sim.messages(m.message.to)).length, 1, `message ${m.id} sent once`);
  });
});
