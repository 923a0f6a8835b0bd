import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type MessageEnvelope } from '@sms/contracts';
import { anEnvelope, aTenant, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { statusesOf as statusesOfTap } from '../test-support/reminders.js';
import type { ChildService } from '../test-support/processes.js';
import type { SimulatorClient } from '../test-support/simulator-client.js';

// kill -9 of the dispatcher, with the Twilio simulator and the dispatcher as child processes.
// (One file, run after the others: a killed instance stays in its Kafka consumer groups until
// its session expires, which holds up the next instance's join, not its sending from the queue.)
const stack = testStack();
const world = new DispatchWorld(stack);
const kafka = testKafka(stack.kafkaBrokers);
const statuses = new TopicTap(kafka, TOPICS.status);
const brand = 'Acme Dental';

const rig = new DispatcherRig(stack, world, [statuses]);
let sim: SimulatorClient;
const dispatcher = (name: string, env: Record<string, string>, waitHealthy = true): Promise<ChildService> => rig.dispatcher(name, env, waitHealthy);

// Quiet hours on an injected clock.
const sender = uniqueNumber('415');
const sends = aTenant({ tenantId: uniqueTenantId(), senders: [{ number: sender, type: 'short_code', brand }], settings: { informationalInQuietHours: 'send' } });
const defers = aTenant({ tenantId: uniqueTenantId(), senders: [{ number: sender, type: 'short_code', brand }] });
// The policy clock starts six seconds before 8:00 in New York on a Wednesday.
const CLOCK = { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T12:59:54Z' };

function message(tenantId: string, to: string, useCase: 'marketing' | 'informational' | 'conversational', recipient: MessageEnvelope['recipient']): MessageEnvelope {
  const campaign = { marketing: 'offers', informational: 'reminders', conversational: 'conversations' }[useCase];
  return anEnvelope({ tenantId, message: { to, from: sender, brand, campaign, useCase, body: `Acme Dental: ${useCase} ${Math.random()}` }, recipient });
}

const newYork = (): MessageEnvelope['recipient'] => ({ country: 'US', region: 'NY', timeZone: 'America/New_York' });
// Exactly once, with every call taking 700 ms at the simulator, which keeps going when the
// caller dies: the message is taken while its answer is lost, the case only a lookup settles.
const tenantId = uniqueTenantId();
const senders = [uniqueNumber('415'), uniqueNumber('415')];
const tenant = aTenant({ tenantId, senders: senders.map((number) => ({ number, type: 'short_code' as const, brand })) });
const env = { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z', IN_DOUBT_AFTER_MS: '4000', MAX_CONCURRENT_SENDS: '8' };

const batch: MessageEnvelope[] = Array.from({ length: 40 }, (_, n) =>
  anEnvelope({
    tenantId,
    message: { to: uniqueNumber('212'), from: senders[n % 2]!, brand, campaign: 'reminders', useCase: 'informational', body: `Acme Dental: reminder ${n} ${Math.random()}` },
    recipient: { country: 'US', region: 'NY', timeZone: 'America/New_York' },
  }),
);
const ids = batch.map((m) => m.id);

async function countAt(states: string[]): Promise<number> {
  return (await world.ledger(ids)).filter((r) => states.includes(r.state)).length;
}

const statusesOf = (id: string) => statusesOfTap(statuses, id);

describe('restarts: kill -9 at any point', () => {
  before(async () => {
    sim = await rig.start('restarts', []);
  });

  after(() => rig.stop());

  it('defers marketing to 8:00 local time, keeps it across kill -9, and sends it once when due', async () => {
    await world.tenant(sends);
    await world.tenant(defers);
    const first = await dispatcher('quiet-1', CLOCK);
    const marketing = message(defers.tenantId, uniqueNumber('212'), 'marketing', newYork());
    const deferredReminder = message(defers.tenantId, uniqueNumber('212'), 'informational', newYork());
    const sentReminder = message(sends.tenantId, uniqueNumber('212'), 'informational', newYork());
    const reply = message(defers.tenantId, uniqueNumber('212'), 'conversational', newYork());
    // No time zone on the envelope: the dispatcher finds it from the area code (713: Houston, Central time).
    const texas = message(defers.tenantId, uniqueNumber('713'), 'marketing', { country: 'US', region: 'TX' });
    await world.cleared(marketing, deferredReminder, sentReminder, reply, texas);

    const scheduled = await waitFor('the marketing message scheduled', async () => statusesOf(marketing.id).find((s) => s.status === 'scheduled'), { timeoutMs: 60_000 });
    assert.deepEqual(scheduled.clauses, ['MP.COUNTRY']);
    assert.match(scheduled.reason ?? '', /quiet hours for the recipient \(US: 08:00-21:00 local time, America\/New_York\)/);
    const due = Date.parse(scheduled.scheduledFor!);
    assert.ok(due > Date.now() - 10_000 && due < Date.now() + 10_000, 'due a few seconds from now, on the real clock');

    // The tenant's choice sends its reminder now; conversational replies are not held back.
    await waitFor('the reminder and the reply sent', () => world.settled([sentReminder.id, reply.id], ['accepted']), { timeoutMs: 30_000 });
    assert.ok(Date.parse((await sim.messages(sentReminder.message.to))[0]!.receivedAt) < due, 'sent inside quiet hours by the tenant setting');
    assert.ok(
      statusesOf(deferredReminder.id).some((s) => s.status === 'scheduled'),
      'informational messages are deferred by default',
    );

    // Killed with the deferred messages in its tables; a new instance sends them when due.
    await first.kill();
    const second = await dispatcher('quiet-2', CLOCK, false);
    await waitFor('the deferred messages sent', () => world.settled([marketing.id, deferredReminder.id], ['accepted']), { timeoutMs: 60_000, intervalMs: 250 });
    await second.stop();
    for (const m of [marketing, deferredReminder]) {
      const atTwilio = await sim.messages(m.message.to);
      assert.equal(atTwilio.length, 1, 'sent once');
      assert.ok(Date.parse(atTwilio[0]!.receivedAt) >= due, `not before 8:00 (${atTwilio[0]!.receivedAt} >= ${scheduled.scheduledFor})`);
    }

    // Texas opens at 9:00 Central, two hours later: still waiting, with why.
    const [waiting] = await world.ledger([texas.id]);
    assert.equal(waiting!.state, 'queued');
    assert.match(waiting!.deferral ?? '', /US-TX: .*09:00-21:00.* America\/Chicago/);
    const texasDue = waiting!.due_at!.getTime();
    assert.ok(texasDue - due > 2 * 3_600_000 - 60_000 && texasDue - due < 2 * 3_600_000 + 60_000, 'two hours after 8:00 in New York');
    assert.deepEqual(await sim.messages(texas.message.to), []);
  });

  it('sends every message exactly once when the dispatcher is killed mid-batch and restarted, twice', async () => {
    await world.tenant(tenant);
    const storedBefore = (await sim.messages()).length;
    await sim.fault({ status: 201, latencyMs: 700 });
    // Not waiting for health: it may wait for the previous test's killed instance to leave the consumer groups.
    const first = await dispatcher('once-1', env, false);
    await world.cleared(...batch);

    // Killed while calls are in flight: sends that reached the simulator and are not stored yet
    // (it counts a fault's hits when a send arrives, and stores the message after the latency).
    await waitFor(
      'calls in flight after some were accepted',
      async () => ((await countAt(['accepted'])) >= 4 && (await sim.faultHits()) - ((await sim.messages()).length - storedBefore) >= 3 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 20 },
    );
    await first.kill();
    const inDoubtAtFirstKill = (await world.ledger(ids)).filter((r) => r.state === 'sending').map((r) => r.message_id);
    assert.ok(inDoubtAtFirstKill.length > 0);

    const acceptedBefore = await countAt(['accepted']);
    const second = await dispatcher('once-2', env, false);
    await waitFor('progress after the restart', async () => ((await countAt(['accepted'])) >= acceptedBefore + 4 ? true : undefined), { timeoutMs: 60_000, intervalMs: 20 });
    await second.kill();

    await sim.clearFaults();
    await dispatcher('once-3', env, false);
    const rows = await waitFor('every message accepted', () => world.settled(ids, ['accepted']), { timeoutMs: 120_000, intervalMs: 250 });

    for (const m of batch) {
      const atTwilio = await sim.messages(m.message.to);
      assert.equal(atTwilio.length, 1, `message ${m.id} reached Twilio exactly once`);
      assert.equal(atTwilio[0]!.body, m.message.body);
      assert.equal(rows.find((r) => r.message_id === m.id)!.twilio_sid, atTwilio[0]!.sid, 'the ledger names the message Twilio has');
    }
    // Claims left in doubt by the first kill were settled by looking them up, not by sending again.
    const settledByLookup = rows.filter((r) => inDoubtAtFirstKill.includes(r.message_id) && r.attempts === 1);
    assert.ok(settledByLookup.length > 0, 'at least one in-doubt send was found at Twilio and not sent again');
  });
});
