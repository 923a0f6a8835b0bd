import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type MessageEnvelope } from '@sms/contracts';
import { aTenant, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { pausesCommand } from '../test-support/processes.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { aReminder, statusesOf as statusesOfTap } from '../test-support/reminders.js';
import type { SimulatorClient } from '../test-support/simulator-client.js';

// Twilio's errors about the account, a sender or the credentials rather than a message, reported as Twilio
// reports them (the simulator follows their error pages): sending pauses for that scope, the
// messages wait, and each goes out exactly once when the pause ends; none is failed for it.
// Twilio's answers reach the dispatcher here as its lookups of sends without a final callback
// (the callbacks go nowhere), every 1.5 s; pauses are short so that the tests see them end.
const stack = testStack();
const world = new DispatchWorld(stack);
const kafka = testKafka(stack.kafkaBrokers);
const statuses = new TopicTap(kafka, TOPICS.status);
const alerts = new TopicTap(kafka, TOPICS.alerts);

const tenantId = uniqueTenantId();
const brand = 'Acme Dental';
const longCode = uniqueNumber('415');
const shortCode = uniqueNumber('415');
const tenDlc = uniqueNumber('415');
const unregistered = uniqueNumber('415');
const tollFree = uniqueNumber('800');
const tenant = aTenant({
  tenantId,
  brands: [{ name: brand }],
  senders: [
    { number: longCode, type: 'long_code', brand },
    { number: shortCode, type: 'short_code', brand },
    { number: tenDlc, type: '10dlc', brand, trustScore: 80 },
    { number: unregistered, type: '10dlc', brand, trustScore: 80 },
    { number: tollFree, type: 'toll_free', brand },
  ],
});
const RECHECK_MS = 4_000;

const rig = new DispatcherRig(stack, world, [statuses, alerts]);
let sim: SimulatorClient;

const message = (overrides: Partial<MessageEnvelope['message']> = {}) => aReminder(tenantId, brand, longCode, overrides);
const statusesOf = (id: string) => statusesOfTap(statuses, id);
const scopeOf = (sender: string) => `${tenantId}|${sender}`;

describe('dispatcher: pauses after Twilio errors about the account, a sender or the credentials', () => {
  before(async () => {
    sim = await rig.start('pauses', [tenant]);
    await rig.dispatcher('pauses', {
      DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z',
      IN_DOUBT_AFTER_MS: '6000',
      DELIVERY_CHECK_AFTER_MS: '1500',
      DAILY_LIMIT_RECHECK_MS: String(RECHECK_MS),
      RATE_PAUSE_MS: '2000',
      RATE_PAUSE_MAX_MS: '8000',
      AUTH_PROBE_MS: '500',
      // A paused attempt must not count: with 2 attempts, counting it would leave one.
      SEND_MAX_ATTEMPTS: '2',
    });
  });

  after(() => rig.stop());

  // https://www.twilio.com/docs/api/errors/63038: "Pause outbound traffic and send again after
  // the rolling 24-hour window resets". The message fails at Twilio after an accepted create.
  it('63038, the account at its daily limit: all sending pauses (alerted), the messages wait and each goes out once after the recheck; none failed', async () => {
    await sim.fault({ status: 201, code: 63038, times: 1 });
    const first = message();
    await world.cleared(first);
    const pause = await waitFor('the account pause', async () => world.pause('account'), { timeoutMs: 30_000 });
    assert.equal(pause.code, 63038);
    assert.ok(pause.until, 'rechecked by itself');
    const behind = [message({ from: shortCode }), message({ from: tenDlc })];
    await world.cleared(...behind);

    const rows = await waitFor(
      'every message accepted, the first on its second attempt',
      async () => {
        const settled = await world.settled([first.id, ...behind.map((m) => m.id)], ['accepted']);
        return settled?.find((r) => r.message_id === first.id)?.attempts === 2 ? settled : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const firstRow = rows.find((r) => r.message_id === first.id)!;
    assert.deepEqual([firstRow.attempts, firstRow.paused_attempts], [2, 1], 'the paused attempt did not count against SEND_MAX_ATTEMPTS (2)');
    const atTwilio = await sim.messages(first.message.to);
    assert.deepEqual(
      atTwilio.map((m) => m.errorCode),
      [63038, null],
      'failed once at Twilio, then sent once',
    );
    assert.ok(Date.parse(atTwilio[1]!.receivedAt) >= pause.until.getTime(), 'sent again only when the pause ended');
    for (const m of behind) {
      const sent = await sim.messages(m.message.to);
      assert.equal(sent.length, 1, 'exactly once');
      assert.ok(Date.parse(sent[0]!.receivedAt) >= pause.until.getTime(), 'nothing went out while the account was paused');
    }

    const scheduled = statusesOf(first.id).find((s) => s.status === 'scheduled');
    assert.equal(scheduled?.scheduledFor, pause.until.toISOString());
    assert.match(scheduled?.reason ?? '', /Twilio account is paused .*63038/);
    assert.ok(
      statusesOf(first.id).every((s) => s.status !== 'failed' || s.source !== 'dispatcher'),
      'never failed by the dispatcher',
    );
    const alert = await waitFor('the alert', async () => alerts.find((a) => a.tenantId === tenantId && a.kind === 'sending_paused' && a.errorCode === 63038));
    assert.deepEqual([alert.severity, alert.pausedUntil, alert.sender], ['critical', pause.until.toISOString(), undefined]);
    assert.match(alert.reason, /whole Twilio account/);
  });

  // https://www.twilio.com/docs/api/errors/30034 and /30032: carriers block every message of an
  // unregistered 10DLC number or an unverified toll-free number until it is registered/verified.
  it('30034 and 30032, senders carriers block: each pauses until an operator clears it (alerted), other senders go on, and its messages then go out once', async () => {
    await sim.fault({ from: unregistered, status: 201, code: 30034 });
    await sim.fault({ from: tollFree, status: 201, code: 30032 });
    const blocked = [message({ from: unregistered }), message({ from: tollFree })];
    await world.cleared(...blocked);
    const scopes = [scopeOf(unregistered), scopeOf(tollFree)];
    const pauses = await waitFor(
      'both senders paused',
      async () => {
        const found = await Promise.all(scopes.map((s) => world.pause(s)));
        return found.every(Boolean) ? found.map((p) => p!) : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(
      pauses.map((p) => [p.code, p.until]),
      [
        [30034, null],
        [30032, null],
      ],
    );
    const waitingRows = await waitFor(
      'both back in the queue',
      () =>
        world.settled(
          blocked.map((m) => m.id),
          ['queued'],
        ),
      { timeoutMs: 30_000 },
    );
    for (const row of waitingRows) {
      assert.equal(row.paused_attempts, 1);
      assert.match(row.error_message ?? '', /until an operator clears the pause/);
    }
    for (const [m, code] of [
      [blocked[0]!, 30034],
      [blocked[1]!, 30032],
    ] as const) {
      const scheduled = await waitFor('the scheduled status', async () => statusesOf(m.id).find((s) => s.status === 'scheduled'));
      assert.equal(scheduled.scheduledFor, undefined, 'no time known: an operator must clear the pause');
      assert.match(scheduled.reason ?? '', new RegExp(`until an operator clears the pause.*${code}`));
      const alert = await waitFor('the alert', async () => alerts.find((a) => a.kind === 'sending_paused' && a.errorCode === code && a.tenantId === tenantId));
      assert.deepEqual([alert.severity, alert.sender, alert.pausedUntil], ['critical', m.message.from, undefined]);
    }

    // A later message of a paused sender waits; another sender's go on.
    const waiting = message({ from: unregistered });
    await world.cleared(waiting);
    await waitFor('the later message queued', () => world.settled([waiting.id], ['queued']));
    const other = message({ from: shortCode });
    await world.cleared(other);
    await waitFor('the other sender goes on', () => world.settled([other.id], ['accepted']), { timeoutMs: 30_000 });
    assert.equal((await world.ledger([waiting.id]))[0]!.state, 'queued');
    assert.deepEqual(await sim.messages(waiting.message.to), []);

    const listed = await pausesCommand(stack, []);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${scopes[0]!.replace(/[|+]/g, '\\$&')}\\tTwilio error 30034\\t.*until an operator clears it\\t2 message\\(s\\) waiting`));

    // The numbers are registered and verified now: the operator clears the pauses.
    await sim.clearFaults();
    for (const scope of scopes) {
      const cleared = await pausesCommand(stack, ['clear', scope, '--by', 'ops on call', '--reason', 'registered with its campaign']);
      assert.equal(cleared.code, 0, cleared.stderr);
    }
    assert.equal((await pausesCommand(stack, ['clear', scopes[0]!, '--by', 'ops', '--reason', 'again'])).code, 1, 'nothing left to clear');
    assert.equal((await pausesCommand(stack, ['clear', scopes[0]!])).code, 1, 'who and why are required');

    await waitFor(
      'every waiting message sent',
      () =>
        world.settled(
          [...blocked, waiting].map((m) => m.id),
          ['accepted'],
        ),
      { timeoutMs: 30_000 },
    );
    for (const [m, code] of [
      [blocked[0]!, 30034],
      [blocked[1]!, 30032],
    ] as const) {
      assert.deepEqual(
        (await sim.messages(m.message.to)).map((s) => s.errorCode),
        [code, null],
        'blocked once, then sent once',
      );
    }
    assert.equal((await sim.messages(waiting.message.to)).length, 1);
  });

  // https://www.twilio.com/docs/api/errors/30022: "Reduce your sending rate ... spread bursts over time".
  it('30022, carriers rate-limit a 10DLC campaign: its sender pauses for a while (alerted) and the message goes out once by itself after it', async () => {
    const m = message({ from: tenDlc });
    await sim.fault({ to: m.message.to, status: 201, code: 30022, times: 1 });
    await world.cleared(m);
    const pause = await waitFor(
      'the sender pause',
      async () => {
        const found = await world.pause(scopeOf(tenDlc));
        return found?.code === 30022 ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.ok(pause.until, 'a rate pause ends by itself');
    const row = await waitFor(
      'sent again',
      async () => {
        const [r] = await world.ledger([m.id]);
        return r?.state === 'accepted' && r.attempts === 2 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(row.paused_attempts, 1);
    const atTwilio = await sim.messages(m.message.to);
    assert.deepEqual(
      atTwilio.map((s) => s.errorCode),
      [30022, null],
    );
    assert.ok(Date.parse(atTwilio[1]!.receivedAt) >= pause.until.getTime(), 'not before the pause ended');
    const scheduled = statusesOf(m.id).find((s) => s.status === 'scheduled');
    assert.equal(scheduled?.scheduledFor, pause.until.toISOString());
    const alert = await waitFor('the alert', async () => alerts.find((a) => a.kind === 'sending_paused' && a.errorCode === 30022 && a.tenantId === tenantId));
    assert.deepEqual([alert.severity, alert.sender], ['warning', tenDlc]);
  });

  // https://www.twilio.com/docs/api/errors/21611: a sender's queue at Twilio holds up to 10 hours
  // of its messages (4 in earlier versions of the page) and drains at the sender's rate; a full
  // queue is no reason to give up on the message after a few quick attempts.
  it("21611, the sender's queue at Twilio full: the sender waits, longer each time Twilio says so, and the message goes out once; never given up", async () => {
    const m = message({ from: longCode });
    await sim.fault({ from: longCode, status: 400, code: 21611, times: 3 });
    await world.cleared(m);
    const row = await waitFor(
      'settled',
      async () => {
        const [r] = await world.ledger([m.id]);
        return r?.state === 'accepted' || r?.state === 'failed' ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.deepEqual([row.state, row.attempts, row.paused_attempts], ['accepted', 4, 3], 'three refusals and no attempt counted against SEND_MAX_ATTEMPTS (2)');
    assert.equal((await sim.messages(m.message.to)).length, 1);
    const pause = await world.pause(scopeOf(longCode));
    assert.deepEqual([pause?.code, pause?.hits], [21611, 3], 'the third pause in a row, so the longest');
    const scheduled = statusesOf(m.id).find((s) => s.status === 'scheduled');
    assert.match(scheduled?.reason ?? '', /queue for the sender is full.*21611/);
    const alert = await waitFor('the alert', async () => alerts.find((a) => a.kind === 'sending_paused' && a.errorCode === 21611 && a.tenantId === tenantId));
    assert.deepEqual([alert.severity, alert.sender], ['warning', longCode]);
  });

  // https://www.twilio.com/docs/api/errors/20003, and https://www.twilio.com/docs/iam/api/authtoken:
  // once the auth token is rotated, "all requests to Twilio using your old primary Auth Token will
  // result in an error". Retrying each message cannot help; new credentials can.
  it('401 / 20003, the auth token rotated under it: the instance stops sending (alerted), no message fails, and all go out once Twilio accepts its credentials again', async () => {
    await sim.rotateAuthToken('f0'.repeat(16));
    const batch = [message(), message({ from: shortCode }), message({ from: tenDlc })];
    const ids = batch.map((m) => m.id);
    await world.cleared(...batch);
    const alert = await waitFor('the alert', async () => alerts.find((a) => a.kind === 'sending_paused' && a.errorCode === 20003 && a.tenantId === tenantId), { timeoutMs: 30_000 });
    assert.equal(alert.severity, 'critical');
    assert.match(alert.reason, /credentials/);
    const waiting = await waitFor(
      'every message waiting in the queue',
      async () => {
        const rows = await world.ledger(ids);
        return rows.length === ids.length && rows.every((r) => r.state === 'queued') ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const refused = waiting.filter((r) => r.paused_attempts > 0);
    assert.ok(refused.length > 0, 'at least one was refused');
    const scheduled = statusesOf(refused[0]!.message_id).find((s) => s.status === 'scheduled');
    assert.match(scheduled?.reason ?? '', /until Twilio accepts this instance's credentials again.*20003/);

    // The dispatcher's token is Twilio's again (as when the operator deploys the new one).
    await sim.rotateAuthToken(stack.twilio.authToken);
    const rows = await waitFor('every message sent', () => world.settled(ids, ['accepted', 'failed']), { timeoutMs: 30_000 });
    assert.deepEqual(
      rows.map((r) => r.state),
      ['accepted', 'accepted', 'accepted'],
      'none failed',
    );
    for (const m of batch) assert.equal((await sim.messages(m.message.to)).length, 1, 'exactly once');
  });
});
