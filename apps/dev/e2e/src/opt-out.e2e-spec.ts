import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { call, testStack, waitFor } from '@sms/testing';
import { Pipeline, type AuditView } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);

describe('a STOP in the middle of a queue (MP.OPTOUT.HONOR)', () => {
  let tenant: Awaited<ReturnType<Pipeline['newTenant']>>;
  before(async () => {
    tenant = await pipeline.newTenant();
  });

  it('lets nothing but the one confirmation reach the person after the STOP, of 200 queued messages', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    // Slow "Twilio" down for this person so that the STOP lands while most messages are still queued.
    const slow = await call<{ id: string }>(`${stack.urls['twilio-simulator']}/sim/faults`, { body: { to, status: 201, latencyMs: 150 } });
    assert.equal(slow.status, 201);

    const ids: string[] = [];
    for (let batch = 0; batch < 200; batch += 20) {
      ids.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => pipeline.send(tenant, { to, body: `Acme Dental: offer ${batch + i + 1} of 200. Reply STOP to opt out.` })))));
    }
    await waitFor('the first messages to reach the simulator', async () => ((await pipeline.simMessages(to)).length >= 3 ? true : undefined), { timeoutMs: 60_000 });
    await pipeline.reply(tenant, to, 'STOP');

    const confirmation = await waitFor('the opt-out confirmation at the simulator', async () => (await pipeline.simMessages(to)).find((m) => /unsubscribed/.test(m.body)), { timeoutMs: 60_000 });

    // Every message ends: delivered (it went before the STOP), blocked (consent or the dispatcher's
    // last check) or refused by Twilio with 21610 (it reached Twilio after the STOP did).
    const views = await waitFor(
      'all 200 messages to reach a final state',
      async () => {
        const all = await Promise.all(ids.map((id) => pipeline.history(tenant, id)));
        return all.every((v) => v && ['delivered', 'blocked', 'failed'].includes(v.status)) ? (all as AuditView[]) : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1_000 },
    );
    const messages = await pipeline.simMessages(to);
    const confirmationIndex = messages.findIndex((m) => m.sid === confirmation.sid);
    assert.deepEqual(
      messages.slice(confirmationIndex + 1).map((m) => m.body),
      [],
      'nothing reached the person after the confirmation',
    );
    assert.equal(messages.filter((m) => /unsubscribed/.test(m.body)).length, 1, 'exactly one confirmation');

    const delivered = views.filter((v) => v.status === 'delivered').length;
    const blocked = views.filter((v) => v.status === 'blocked');
    const refused = views.filter((v) => v.status === 'failed');
    assert.ok(
      refused.every((v) => v.statuses.some((s) => s.errorCode === 21610)),
      'a failed message is one Twilio refused for the opt-out',
    );
    assert.equal(delivered + blocked.length + refused.length, 200);
    assert.equal(delivered, messages.length - 1, 'every delivered message is one the simulator received');
    assert.ok(blocked.length > 0, 'the STOP landed in the middle of the queue');
    assert.ok(
      blocked.every((v) => v.decisions.at(-1)?.clauses.includes('MP.OPTOUT.HONOR')),
      'every blocked message cites MP.OPTOUT.HONOR',
    );
    await call(`${stack.urls['twilio-simulator']}/sim/faults/${slow.body.id}`, { method: 'DELETE' });
  });
});
