import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type MessageEnvelope } from '@sms/contracts';
import { aTenant, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueMessagingService, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { aReminder, statusesOf as statusesOfTap } from '../test-support/reminders.js';
import type { SimulatorClient } from '../test-support/simulator-client.js';

// Real Kafka and Postgres (the test tier's), the Twilio simulator and the dispatcher as child
// processes, faults injected at the simulator. The policy clock starts on a Wednesday at noon
// in New York, so quiet hours never get in the way here (they have their own tests).
const stack = testStack();
const world = new DispatchWorld(stack);
const kafka = testKafka(stack.kafkaBrokers);
const statuses = new TopicTap(kafka, TOPICS.status);
const stopped = new TopicTap(kafka, TOPICS.stopped);
const alerts = new TopicTap(kafka, TOPICS.alerts);

const tenantId = uniqueTenantId();
const brand = 'Acme Dental';
const shortCode = uniqueNumber('415');
const longCode = uniqueNumber('415');
const tenDlc = uniqueNumber('415');
const pool = uniqueMessagingService();
const poolNumbers = [uniqueNumber('415'), uniqueNumber('415')];
const tenant = aTenant({
  tenantId,
  brands: [{ name: brand }, { name: 'Capped Dental', tmobileDailyCap: 2 }],
  senders: [
    { number: shortCode, type: 'short_code', brand },
    { number: longCode, type: 'long_code', brand },
    { number: tenDlc, type: '10dlc', brand: 'Capped Dental', trustScore: 80 },
    ...poolNumbers.map((number) => ({ number, type: 'long_code' as const, brand, messagingServiceSid: pool })),
  ],
  messagingServices: [{ sid: pool, name: 'pool' }],
});

const rig = new DispatcherRig(stack, world, [statuses, stopped, alerts]);
let sim: SimulatorClient;

const message = (overrides: Partial<MessageEnvelope['message']> = {}, extra: Partial<MessageEnvelope> = {}) => aReminder(tenantId, brand, shortCode, overrides, extra);
const statusesOf = (id: string) => statusesOfTap(statuses, id);

describe('dispatcher against the simulator', () => {
  before(async () => {
    sim = await rig.start('dispatch', [tenant]);
    await sim.messagingService(pool, poolNumbers);
    await rig.dispatcher('dispatch', { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z', IN_DOUBT_AFTER_MS: '6000' });
  });

  after(() => rig.stop());

  it('sends a cleared message once through the SDK, records it and publishes sending with the SID', async () => {
    const m = message();
    await world.cleared(m);
    const [row] = await waitFor('the send to be accepted', () => world.settled([m.id], ['accepted']), { timeoutMs: 30_000 });
    const sent = await sim.messages(m.message.to);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.body, m.message.body);
    assert.equal(sent[0]!.from, shortCode);
    assert.equal(row!.twilio_sid, sent[0]!.sid);
    const sending = await waitFor('the sending status', async () => statusesOf(m.id).find((s) => s.status === 'sending'));
    assert.equal(sending.twilioSid, sent[0]!.sid);
    assert.equal(sending.source, 'dispatcher');

    // Kafka delivers the same message again: its known outcome is published, nothing is sent.
    await world.cleared(m);
    await waitFor('the known outcome published again', async () => (statusesOf(m.id).filter((s) => s.status === 'sending').length >= 2 ? true : undefined));
    assert.equal((await sim.messages(m.message.to)).length, 1);
  });

  it('goes on through a 429 storm: every message sent once, after retries with backoff', async () => {
    const batch = Array.from({ length: 6 }, () => message());
    for (const m of batch) await sim.fault({ to: m.message.to, status: 429, code: 20429, times: 3 });
    await world.cleared(...batch);
    const rows = await waitFor(
      'all to be accepted',
      () =>
        world.settled(
          batch.map((m) => m.id),
          ['accepted'],
        ),
      { timeoutMs: 90_000 },
    );
    assert.ok(
      rows.every((r) => r.attempts === 4),
      `three refusals then a success: ${rows.map((r) => r.attempts).join(',')}`,
    );
    for (const m of batch) assert.equal((await sim.messages(m.message.to)).length, 1);
  });

  // RFC 6585 section 4: a 429 may say how long to wait (Retry-After). Twilio's 20429 page asks to
  // "wait for a short period of time"; when the answer names the period, it is waited at least.
  it('waits at least the Retry-After of a 429 before calling Twilio again, then sends once', async () => {
    const m = message();
    const fault = await sim.fault({ to: m.message.to, status: 429, code: 20429, retryAfter: 3 });
    await world.cleared(m);
    const first = await waitFor(
      'the first refusal',
      async () => {
        const state = await sim.faultState(fault);
        return state?.lastHitAt ? state : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(first.hits, 1, 'no second call within the first poll');
    const second = await waitFor(
      'the call after it',
      async () => {
        const state = await sim.faultState(fault);
        return state && state.hits >= 2 ? state.lastHitAt! : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const waited = Date.parse(second) - Date.parse(first.lastHitAt!);
    assert.ok(waited >= 3_000, `called again ${waited} ms after a Retry-After of 3 s`);
    await sim.removeFault(fault);
    await waitFor('accepted', () => world.settled([m.id], ['accepted']), { timeoutMs: 30_000 });
    assert.equal((await sim.messages(m.message.to)).length, 1);
  });

  it('looks a message up after a 5xx instead of sending it again: found when Twilio took it, sent when not', async () => {
    const taken = message();
    const refused = message();
    await sim.fault({ to: taken.message.to, status: 500, code: 20500, times: 1, recordMessage: true });
    await sim.fault({ to: refused.message.to, status: 503, code: 20503, times: 1 });
    await world.cleared(taken, refused);
    const rows = await waitFor('both accepted', () => world.settled([taken.id, refused.id], ['accepted']), { timeoutMs: 60_000 });
    const byId = new Map(rows.map((r) => [r.message_id, r]));
    assert.equal(byId.get(taken.id)!.attempts, 1, 'found at Twilio on the lookup: no second attempt');
    assert.equal(byId.get(refused.id)!.attempts, 2, 'not found at Twilio: sent again');
    const takenAtTwilio = await sim.messages(taken.message.to);
    assert.equal(takenAtTwilio.length, 1);
    assert.equal(byId.get(taken.id)!.twilio_sid, takenAtTwilio[0]!.sid);
    assert.equal((await sim.messages(refused.message.to)).length, 1);
  });

  // Twilio leaves date_sent null while a message waits in its queue
  // (https://www.twilio.com/docs/messaging/api/message-resource): under the load that causes
  // 5xx answers, the message a lost answer left is still queued, and must be found all the same.
  it("finds a message Twilio took after a 5xx while it still waits in Twilio's queue: exactly one send", async () => {
    const taken = message();
    await sim.fault({ to: taken.message.to, status: 500, code: 20500, times: 1, recordMessage: true, queuedMs: 30_000 });
    await world.cleared(taken);
    const [row] = await waitFor('accepted', () => world.settled([taken.id], ['accepted', 'failed']), { timeoutMs: 60_000 });
    const atTwilio = await sim.messages(taken.message.to);
    assert.equal(atTwilio.length, 1, 'sent once');
    assert.equal(atTwilio[0]!.status, 'queued', "still in Twilio's queue when it was looked up");
    assert.deepEqual([row!.state, row!.attempts, row!.twilio_sid], ['accepted', 1, atTwilio[0]!.sid]);
    const sending = await waitFor('the sending status', async () => statusesOf(taken.id).find((s) => s.status === 'sending'));
    assert.equal(sending.twilioSid, atTwilio[0]!.sid);
  });

  it('fails 21610, 21211, 21408 and 21635 for good with their meaning; 21610 carries the code consent records an opt-out from', async () => {
    const cases = [21610, 21211, 21408, 21635].map((code) => ({ code, m: message() }));
    for (const { code, m } of cases) await sim.fault({ to: m.message.to, status: 400, code, times: 1 });
    await world.cleared(...cases.map((c) => c.m));
    await waitFor(
      'all failed',
      () =>
        world.settled(
          cases.map((c) => c.m.id),
          ['failed'],
        ),
      { timeoutMs: 30_000 },
    );
    for (const { code, m } of cases) {
      const failed = await waitFor(`the failed status of ${code}`, async () => statusesOf(m.id).find((s) => s.status === 'failed'));
      assert.equal(failed.errorCode, code);
      assert.ok(failed.reason && !failed.reason.startsWith('HTTP'), `explained: ${failed.reason}`);
      assert.deepEqual((await sim.messages(m.message.to)).length, 0);
    }
    const optOut = statusesOf(cases[0]!.m.id).find((s) => s.status === 'failed')!;
    assert.deepEqual(optOut.clauses, ['MP.OPTOUT.HONOR']);
    assert.match(optOut.reason ?? '', /replied STOP/);
    assert.equal(optOut.errorMessage, 'Attempt to send to unsubscribed recipient');
  });

  it('re-checks opt-outs when a scheduled message comes due: a STOP meanwhile blocks it (MP.OPTOUT.HONOR)', async () => {
    const m = message({ sendAt: new Date(Date.now() + 3_000).toISOString() });
    await world.cleared(m);
    const scheduled = await waitFor('the scheduled status', async () => statusesOf(m.id).find((s) => s.status === 'scheduled'));
    assert.equal(scheduled.scheduledFor, m.message.sendAt);
    await world.optOut(tenantId, m.message.to, `brand:${brand}`);
    const blocked = await waitFor('the message to be stopped', async () => stopped.find((e) => e.id === m.id));
    assert.deepEqual(blocked.verdicts.at(-1)?.clauses, ['MP.OPTOUT.HONOR']);
    assert.equal(blocked.verdicts.at(-1)?.stage, 'dispatcher');
    assert.equal((await world.ledger([m.id]))[0]!.state, 'blocked');
    assert.deepEqual(await sim.messages(m.message.to), []);
  });

  it('lets the one opt-out confirmation through to an opted-out person, and not a second one', async () => {
    const to = uniqueNumber('212');
    await world.optOut(tenantId, to, `brand:${brand}`);
    const first = message({ to, body: 'Acme Dental: you are unsubscribed and will get no more messages.' }, { kind: 'opt_out_confirmation' });
    const marketing = message({ to, body: 'Acme Dental: offer.', useCase: 'marketing', campaign: 'offers' });
    await waitFor('the opt-out to reach the dispatcher', async () => {
      const { rows } = await world.db.query(`SELECT 1 FROM dispatcher.consent_state WHERE tenant_id = $1 AND recipient_token = $2`, [tenantId, world.pseudonyms.token(tenantId, to)]);
      return rows.length > 0 ? true : undefined;
    });
    await world.cleared(first, marketing);
    await waitFor('the confirmation sent and the offer blocked', () => world.settled([first.id, marketing.id], ['accepted', 'blocked']), { timeoutMs: 30_000 });
    const second = message({ to, body: 'Acme Dental: you are unsubscribed (again).' }, { kind: 'opt_out_confirmation' });
    await world.cleared(second);
    const rows = await waitFor('the second confirmation settled', () => world.settled([second.id], ['accepted', 'blocked']), { timeoutMs: 30_000 });
    assert.equal((await world.ledger([first.id]))[0]!.state, 'accepted');
    assert.equal((await world.ledger([marketing.id]))[0]!.state, 'blocked');
    assert.equal(rows[0]!.state, 'blocked');
    assert.match((await waitFor('the stopped second confirmation', async () => stopped.find((e) => e.id === second.id))).verdicts.at(-1)?.reason ?? '', /one confirmation/);
    assert.deepEqual(
      (await sim.messages(to)).map((s) => s.body),
      [first.message.body],
    );
  });

  it("defers a 10DLC brand's messages past T-Mobile's daily cap, with an alert", async () => {
    const batch = Array.from({ length: 3 }, () => message({ from: tenDlc, brand: 'Capped Dental' }));
    await world.cleared(...batch);
    await waitFor(
      'two sent and one deferred',
      async () => {
        const rows = await world.ledger(batch.map((m) => m.id));
        return rows.filter((r) => r.state === 'accepted').length === 2 && rows.some((r) => r.state === 'queued' && r.deferral) ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const deferred = (await world.ledger(batch.map((m) => m.id))).find((r) => r.state === 'queued')!;
    const scheduled = await waitFor('the scheduled status', async () => statusesOf(deferred.message_id).find((s) => s.status === 'scheduled'));
    assert.deepEqual(scheduled.clauses, ['AUP.SERVICE_LIMITS']);
    assert.match(scheduled.reason ?? '', /T-Mobile's daily cap of 2 segments/);
    const alert = await waitFor('the cap alert', async () => alerts.find((a) => a.tenantId === tenantId && a.kind === 'daily_cap_reached'));
    assert.equal(alert.brand, 'Capped Dental');
  });

  it('paces through a messaging service and lets Twilio pick the sender from the pool', async () => {
    const m = message({ from: undefined, messagingServiceSid: pool });
    await world.cleared(m);
    await waitFor('accepted', () => world.settled([m.id], ['accepted']), { timeoutMs: 30_000 });
    const [sent] = await sim.messages(m.message.to);
    assert.equal(sent?.messagingServiceSid, pool);
    assert.ok(poolNumbers.includes(sent?.from ?? ''), 'a number of the pool');
  });

  // CreateMessage (Twilio's OpenAPI description): with a MessagingServiceSid, From may only be "a
  // specific sender from your Sender Pool"; Twilio refuses any other with 21711
  // (https://www.twilio.com/docs/api/errors/21711).
  it('never sends a From together with a messaging service it is not part of (21711); a number of the pool goes with its service', async () => {
    const outside = message({ from: longCode, messagingServiceSid: pool });
    const inside = message({ from: poolNumbers[1], messagingServiceSid: pool });
    await world.cleared(outside, inside);
    const rows = await waitFor('both settled', () => world.settled([outside.id, inside.id], ['accepted', 'failed']), { timeoutMs: 30_000 });
    const byId = new Map(rows.map((r) => [r.message_id, r]));
    assert.deepEqual([byId.get(outside.id)!.state, byId.get(outside.id)!.error_code, byId.get(outside.id)!.started_at], ['failed', 21711, null], 'failed without a call');
    const failed = await waitFor('the failed status', async () => statusesOf(outside.id).find((s) => s.status === 'failed'));
    assert.equal(failed.errorCode, 21711);
    assert.equal(failed.errorMessage, undefined, 'Twilio was never asked');
    assert.match(failed.reason ?? '', /is not a number of messaging service/);
    assert.deepEqual(await sim.messages(outside.message.to), []);
    assert.equal(byId.get(inside.id)!.state, 'accepted');
    const [sent] = await sim.messages(inside.message.to);
    assert.deepEqual([sent?.from, sent?.messagingServiceSid], [poolNumbers[1], pool]);
  });

  // Through a Messaging Service, an overloaded pool fails messages after creation with 30001,
  // reported by status callback (https://www.twilio.com/docs/api/errors/21611): never sent, so
  // sent again, paced, not recorded failed.
  it('sends again a messaging-service message that Twilio failed in its queue (30001 by status callback), once', async () => {
    const m = message({ from: undefined, messagingServiceSid: pool });
    await sim.fault({ to: m.message.to, status: 201, code: 30001, times: 1 });
    await world.cleared(m);
    const [first] = await waitFor('accepted', () => world.settled([m.id], ['accepted']), { timeoutMs: 30_000 });
    const failedAtTwilio = await waitFor("failed in Twilio's queue", async () => (await sim.messages(m.message.to)).find((s) => s.status === 'failed'));
    assert.deepEqual([failedAtTwilio.sid, failedAtTwilio.errorCode], [first!.twilio_sid, 30001]);
    // Intake's status callback event, twice (Twilio retries a callback; Kafka redelivers).
    const callback = { messageId: m.id, tenantId, status: 'failed' as const, source: 'twilio-callback' as const, twilioSid: first!.twilio_sid!, errorCode: 30001, at: new Date().toISOString() };
    await world.publish('status', m.id, callback);
    await world.publish('status', m.id, callback);
    const scheduled = await waitFor('the scheduled status', async () => statusesOf(m.id).find((s) => s.status === 'scheduled'));
    assert.deepEqual(scheduled.clauses, ['AUP.SERVICE_LIMITS']);
    assert.match(scheduled.reason ?? '', /30001/);
    const sent = await waitFor(
      'sent again',
      async () => {
        const [row] = await world.ledger([m.id]);
        return row?.state === 'accepted' && row.attempts === 2 ? row : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const atTwilio = await sim.messages(m.message.to);
    assert.deepEqual(
      atTwilio.map((s) => s.status === 'failed'),
      [true, false],
      'the failed one, then one more',
    );
    assert.equal(sent.twilio_sid, atTwilio[1]!.sid);
    assert.equal(sent.delivery_status, null, "the new message's delivery is still to come");
    // The same callback once more, after the message went out again (a replay: intake keeps no
    // receipt of status callbacks), then the new message's own delivery report behind it, in the
    // same batch: the replay names a Twilio message the send no longer holds, so it changes
    // nothing, and it must not hide the report of the message the send holds.
    await world.publishTogether('status', [
      [m.id, callback],
      [m.id, { messageId: m.id, tenantId, status: 'delivered', source: 'twilio-callback', twilioSid: sent.twilio_sid, at: new Date().toISOString() }],
    ]);
    const settled = await waitFor('the delivery report behind the replay', async () => {
      const [row] = await world.ledger([m.id]);
      return row?.delivery_status === 'delivered' ? row : undefined;
    });
    assert.deepEqual([settled.state, settled.attempts, settled.twilio_sid], ['accepted', 2, sent.twilio_sid], 'not queued again');
    assert.equal((await sim.messages(m.message.to)).length, 2, 'nothing more sent');
  });

  it("records Twilio's callbacks forward only, and raises a content alert for 30007", async () => {
    const m = message();
    await world.cleared(m);
    const [row] = await waitFor('accepted', () => world.settled([m.id], ['accepted']), { timeoutMs: 30_000 });
    const callback = (status: 'sent' | 'undelivered', errorCode?: number) =>
      world.publish('status', m.id, { messageId: m.id, tenantId, status, source: 'twilio-callback', twilioSid: row!.twilio_sid!, ...(errorCode ? { errorCode } : {}), at: new Date().toISOString() });
    await callback('undelivered', 30007);
    await callback('sent');
    const alert = await waitFor('the content alert', async () => alerts.find((a) => a.messageId === m.id));
    assert.equal(alert.kind, 'content_filtered');
    assert.equal(alert.errorCode, 30007);
    assert.deepEqual(alert.clauses, ['MP.ENFORCEMENT', 'MP.ISV']);
    const delivered = await waitFor('the late sent to be consumed', async () => {
      const [r] = await world.ledger([m.id]);
      return r?.delivery_status === 'undelivered' ? r : undefined;
    });
    assert.equal(delivered.delivery_status, 'undelivered', 'a late "sent" did not move it back');
  });
});
