import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type CancelRequestEvent, type MessageEnvelope, type StatusEvent } from '@sms/contracts';
import { aTenant, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { aReminder, statusesOf as statusesOfTap } from '../test-support/reminders.js';
import type { SimulatorClient } from '../test-support/simulator-client.js';

// Cancel requests against the ledger, with two dispatcher instances sharing the queue: real
// Kafka and Postgres, the simulator, the dispatchers as child processes.
const stack = testStack();
const world = new DispatchWorld(stack);
const kafka = testKafka(stack.kafkaBrokers);
const statuses = new TopicTap(kafka, TOPICS.status);
const deadLetters = new TopicTap(kafka, TOPICS.deadLetter);

const tenantId = uniqueTenantId();
const otherTenantId = uniqueTenantId();
const brand = 'Acme Dental';
const shortCode = uniqueNumber('415');
// A long code sends one segment a second: a queue of them is claimed a few at a time.
const longCode = uniqueNumber('415');
const tenant = aTenant({
  tenantId,
  brands: [{ name: brand }],
  senders: [
    { number: shortCode, type: 'short_code', brand },
    { number: longCode, type: 'long_code', brand },
  ],
});
const otherTenant = aTenant({ tenantId: otherTenantId, brands: [{ name: brand }], senders: [{ number: uniqueNumber('415'), type: 'short_code', brand }] });

const rig = new DispatcherRig(stack, world, [statuses, deadLetters]);
let sim: SimulatorClient;

const message = (from: string, overrides: Partial<MessageEnvelope['message']> = {}) => aReminder(tenantId, brand, from, overrides);

function cancelRequest(m: MessageEnvelope, over: Partial<CancelRequestEvent> = {}): CancelRequestEvent {
  return { requestId: randomUUID(), messageId: m.id, tenantId: m.tenantId, requestedBy: { channel: 'kafka', name: 'booking-service' }, at: new Date().toISOString(), ...over };
}

const answerTo = (request: CancelRequestEvent): Promise<StatusEvent> =>
  waitFor(`the answer to cancel request ${request.requestId}`, async () => statuses.find((s) => s.cancellation?.requestId === request.requestId), { timeoutMs: 30_000 });

const statusesOf = (id: string) => statusesOfTap(statuses, id);

/** A message sent after the others on the same sender: once it is at the simulator, anything queued before it would be too. */
async function barrier(from: string, sendAt?: string): Promise<void> {
  const last = message(from, sendAt ? { sendAt } : {});
  await world.cleared(last);
  await waitFor('the later message at the simulator', async () => ((await sim.messages(last.message.to)).length === 1 ? true : undefined), { timeoutMs: 60_000 });
}

describe('cancelling messages at the dispatcher, two instances', () => {
  before(async () => {
    sim = await rig.start('cancel', [tenant, otherTenant]);
    for (const name of ['cancel-1', 'cancel-2']) {
      await rig.dispatcher(name, { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z' });
    }
  });

  after(() => rig.stop());

  it('cancels a scheduled message: never sent when it comes due, cancelled in the ledger and on the status topic with who asked', async () => {
    const dueAt = Date.now() + 3_000;
    const scheduled = message(shortCode, { sendAt: new Date(dueAt).toISOString() });
    await world.cleared(scheduled);
    await waitFor('the message scheduled', async () => statusesOf(scheduled.id).find((s) => s.status === 'scheduled'));

    const request = cancelRequest(scheduled);
    await world.publish('cancelRequests', scheduled.id, request);
    const answer = await answerTo(request);
    assert.equal(answer.status, 'cancelled');
    assert.deepEqual(answer.cancellation, { requestId: request.requestId, requestedBy: { channel: 'kafka', name: 'booking-service' }, outcome: 'cancelled' });
    assert.equal(answer.reason, 'cancelled by Kafka producer booking-service');
    assert.equal((await world.ledger([scheduled.id]))[0]!.state, 'cancelled');

    await barrier(shortCode, new Date(dueAt + 500).toISOString());
    assert.deepEqual(await sim.messages(scheduled.message.to), [], 'a cancelled message never reaches Twilio');
    assert.equal((await world.ledger([scheduled.id]))[0]!.state, 'cancelled');

    // The same request again (Kafka redelivers, the producer retries) gets the same answer.
    await world.publish('cancelRequests', scheduled.id, request);
    await waitFor('the repeated answer', async () => (statuses.records.filter((r) => r.value?.cancellation?.requestId === request.requestId).length === 2 ? true : undefined));
  });

  it('stops a message cancelled before it reached the dispatcher (still in the pipeline, or held) when it comes', async () => {
    const upstream = message(shortCode);
    const request = cancelRequest(upstream, { requestedBy: { channel: 'http', name: `API key of tenant ${tenantId}` } });
    await world.publish('cancelRequests', upstream.id, request);
    const answer = await answerTo(request);
    assert.equal(answer.status, 'cancelled');
    assert.equal(answer.reason, `cancelled by API key of tenant ${tenantId}`);

    await world.cleared(upstream);
    await waitFor('the late message in the ledger', async () => ((await world.ledger([upstream.id]))[0]?.state === 'cancelled' ? true : undefined));
    await barrier(shortCode);
    assert.deepEqual(await sim.messages(upstream.message.to), []);
    assert.deepEqual(
      statusesOf(upstream.id).map((s) => s.status),
      ['cancelled'],
      'nothing but the cancellation is published for it',
    );
  });

  it('refuses once Twilio has the message, and leaves the ledger as it was', async () => {
    const sent = message(shortCode);
    await world.cleared(sent);
    await waitFor('the send accepted', () => world.settled([sent.id], ['accepted']), { timeoutMs: 30_000 });
    const request = cancelRequest(sent);
    await world.publish('cancelRequests', sent.id, request);
    const answer = await answerTo(request);
    assert.equal(answer.cancellation?.outcome, 'refused');
    assert.ok(['sending', 'sent', 'delivered'].includes(answer.status), answer.status);
    assert.match(answer.reason ?? '', /^cancellation by Kafka producer booking-service refused: already handed to Twilio/);
    assert.equal((await world.ledger([sent.id]))[0]!.state, 'accepted');
    assert.equal((await sim.messages(sent.message.to)).length, 1);
  });

  it('a race between claims and cancels ends each message exactly one way: sent (refused) or cancelled (never sent)', async () => {
    // Twelve messages on one long code (one a second), claimed ahead of their slots by either
    // instance; cancels for all of them arrive once the first is at the simulator, while the
    // rest are queued, claimed and waiting, or being handed over.
    const batch = Array.from({ length: 12 }, () => message(longCode));
    await world.cleared(...batch);
    await waitFor('the first of them at the simulator', async () => ((await Promise.all(batch.map((m) => sim.messages(m.message.to)))).some((l) => l.length > 0) ? true : undefined), {
      timeoutMs: 30_000,
    });
    const requests = batch.map((m) => cancelRequest(m));
    for (const [i, m] of batch.entries()) await world.publish('cancelRequests', m.id, requests[i]!);
    const answers = await Promise.all(requests.map(answerTo));
    const rows = await waitFor(
      'every message settled',
      () =>
        world.settled(
          batch.map((m) => m.id),
          ['accepted', 'cancelled'],
        ),
      { timeoutMs: 60_000 },
    );
    const state = new Map(rows.map((r) => [r.message_id, r.state]));

    let cancelled = 0;
    for (const [i, m] of batch.entries()) {
      const atTwilio = (await sim.messages(m.message.to)).length;
      if (answers[i]!.cancellation?.outcome === 'cancelled') {
        cancelled++;
        assert.equal(atTwilio, 0, `message ${i} was cancelled and must never be sent`);
        assert.equal(state.get(m.id), 'cancelled');
      } else {
        assert.equal(atTwilio, 1, `message ${i}: the cancel was refused, so it was sent, once`);
        assert.equal(state.get(m.id), 'accepted');
      }
    }
    assert.ok(cancelled > 0 && cancelled < batch.length, `both outcomes happen: ${cancelled} of ${batch.length} cancelled`);
  });

  it("dead-letters requests that do not validate or name another tenant's message, which goes on", async () => {
    const producer = kafka.producer();
    await producer.connect();
    const badKey = `bad-${randomUUID()}`;
    await producer.send({ topic: TOPICS.cancelRequests.name, messages: [{ key: badKey, value: JSON.stringify({ messageId: 'not-a-uuid', tenantId, requestedBy: { channel: 'fax', name: '' } }) }] });
    await producer.disconnect();

    const theirs = message(shortCode);
    await world.cleared(theirs);
    await waitFor('their send accepted', () => world.settled([theirs.id], ['accepted']), { timeoutMs: 30_000 });
    const foreign = cancelRequest(theirs, { tenantId: otherTenantId });
    await world.publish('cancelRequests', theirs.id, foreign);

    const keyOf = (d: { keyBase64: string | null }) => (d.keyBase64 ? Buffer.from(d.keyBase64, 'base64').toString() : null);
    const invalid = await waitFor('the invalid request dead-lettered', async () => deadLetters.find((d) => d.sourceTopic === TOPICS.cancelRequests.name && keyOf(d) === badKey));
    assert.equal(invalid.error.kind, 'schema_violation');
    assert.ok(invalid.error.issues.some((i) => i.path === 'messageId'));
    const refused = await waitFor('the foreign request dead-lettered', async () => deadLetters.find((d) => d.sourceTopic === TOPICS.cancelRequests.name && keyOf(d) === theirs.id));
    assert.equal(refused.error.kind, 'processing_error');
    assert.match(refused.error.message, /not tenant .*'s/);
    assert.equal((await world.ledger([theirs.id]))[0]!.state, 'accepted');
    assert.equal(statusesOf(theirs.id).filter((s) => s.cancellation).length, 0, 'no answer is published for it');
  });
});
