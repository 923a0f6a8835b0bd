import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { call, testStack, waitFor, type TestTenant } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);
const simulator = stack.urls['twilio-simulator'];

/** Nothing listens here: the webhook of one message fails, as when intake is down. */
const NOWHERE = 'http://127.0.0.1:9/twilio/inbound';

interface ConsentView {
  state: { optedOut: boolean };
  optEvents: unknown[];
}

async function consentOf(tenant: TestTenant, to: string): Promise<ConsentView> {
  const answer = await call<ConsentView>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, { apiKey: tenant.apiKey });
  assert.equal(answer.status, 200);
  return answer.body;
}

describe("inbound messages whose webhook failed (Twilio does not retry it): intake's reconciler", () => {
  let tenant: TestTenant;
  let db: pg.Client;
  before(async () => {
    tenant = await pipeline.newTenant();
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
  });

  it('records a STOP whose webhook failed: consent shows the opt-out and a later marketing message is blocked', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const inbound = await call<{ sid: string }>(`${simulator}/sim/inbound`, { body: { from: to, to: tenant.senders[0], body: 'STOP', webhookUrl: NOWHERE } });
    assert.equal(inbound.status, 502, 'the webhook failed and is not retried');

    const consent = await waitFor('consent to show the opt-out', async () => ((await consentOf(tenant, to)).state.optedOut ? consentOf(tenant, to) : undefined), { timeoutMs: 30_000 });
    assert.equal(consent.optEvents.length, 1);
    const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM intake.inbound_messages WHERE twilio_sid = $1`, [inbound.body.sid]);
    assert.equal(rows.rows[0]?.n, '1', 'recorded once in the inbound outbox');

    const id = await pipeline.send(tenant, { to, body: `${tenant.brand}: 20% off whitening this month. Reply STOP to opt out.` });
    const view = await pipeline.waitForStatus(tenant, id, ['blocked']);
    assert.ok(view.decisions.at(-1)?.clauses.includes('MP.OPTOUT.HONOR'), JSON.stringify(view.decisions));
  });

  it('records a STOP that both the webhook and the reconciler saw once', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const inbound = await call<{ sid: string; webhookStatus: number }>(`${simulator}/sim/inbound`, { body: { from: to, to: tenant.senders[0], body: 'STOP' } });
    assert.deepEqual([inbound.status, inbound.body.webhookStatus], [200, 200]);
    const answeredAt = Date.now();
    // A completed run that recorded up to a moment after the message was dated has listed it.
    await waitFor(
      'the reconciler to get past the message',
      async () => {
        const state = await db.query<{ watermark: Date }>(`SELECT watermark FROM intake.inbound_reconcile_state WHERE id = 1`);
        return (state.rows[0]?.watermark.getTime() ?? 0) > answeredAt || undefined;
      },
      { timeoutMs: 30_000 },
    );
    const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM intake.inbound_messages WHERE twilio_sid = $1`, [inbound.body.sid]);
    assert.equal(rows.rows[0]?.n, '1', 'one row in the inbound outbox');
    const consent = await waitFor('consent to show the opt-out', async () => ((await consentOf(tenant, to)).state.optedOut ? consentOf(tenant, to) : undefined));
    assert.equal(consent.optEvents.length, 1, 'one opt-out');
    await waitFor('the opt-out confirmation', async () => ((await pipeline.simMessages(to)).some((m) => /unsubscribed/.test(m.body)) ? true : undefined), { timeoutMs: 30_000 });
    assert.equal((await pipeline.simMessages(to)).filter((m) => /unsubscribed/.test(m.body)).length, 1, 'exactly one confirmation');
  });
});
