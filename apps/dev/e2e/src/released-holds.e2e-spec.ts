import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { TOPICS } from '@sms/contracts';
import { call, groupCaughtUp, testKafka, testStack, waitFor, type TestTenant } from '@sms/testing';
import type { Kafka } from 'kafkajs';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);

/**
 * A reviewer's release is not a send: a message held for its content and approved while the
 * person's unclear reply paused marketing is checked again at the dispatcher's last moment
 * (MP.OPTOUT.HONOR), and the opt-out review decides it.
 */
describe('a released hold meets a pause of marketing at the last moment', () => {
  let tenant: TestTenant;
  let kafka: Kafka;
  before(async () => {
    tenant = await pipeline.newTenant();
    kafka = testKafka(stack.kafkaBrokers);
  });

  const shortened = (what: string) => `Acme Dental: ${what} at https://bit.ly/3xAcme today. Reply STOP to opt out. ${randomUUID()}`;
  const approve = (id: string) =>
    call<{ type?: string; detail?: string }>(`${stack.urls.audit}/admin/v1/reviews/${id}/decision`, {
      apiKey: stack.adminApiKey,
      body: { decision: 'approve', decidedBy: 'Casey Compliance', note: "the clinic's own short link" },
    });

  /** Consent to offers and reminders, an offer and a reminder held for their content, then an unclear reply the dispatcher knows of. */
  async function heldThenPaused(to: string): Promise<{ offer: string; reminder: string }> {
    await pipeline.consent(tenant, to, 'offers');
    await pipeline.consent(tenant, to, 'reminders');
    const offer = await pipeline.send(tenant, { to, body: shortened('whitening offer') });
    const reminder = await pipeline.send(tenant, { to, body: shortened('confirm your cleaning'), campaign: 'reminders', useCase: 'informational' });
    for (const id of [offer, reminder]) {
      const view = await pipeline.waitForStatus(tenant, id, ['held']);
      assert.equal(view.decisions.at(-1)?.stage, 'content-screening');
    }
    await pipeline.reply(tenant, to, 'this is spam, too many texts');
    // The pause reached audit on consent.changes.v1, published with its consent.state.v1 record;
    // then the dispatcher's view has it once its group has handled everything on that topic.
    await waitFor('the pause in the consent proof', async () => {
      const proof = await call<{ pauses: unknown[] }>(`${stack.urls.audit}/v1/consent-proof?to=${encodeURIComponent(to)}&format=json`, { apiKey: tenant.apiKey });
      return proof.body.pauses?.length > 0 ? true : undefined;
    });
    await waitFor("the dispatcher's view of consent.state.v1", async () => ((await groupCaughtUp(kafka, `dispatcher.${TOPICS.consentState.name}`, TOPICS.consentState.name)) ? true : undefined));
    return { offer, reminder };
  }

  /** The offer after its release: held again at the dispatcher, or (were the pause unknown there) gone on. */
  async function afterRelease(offer: string) {
    const view = await pipeline.waitForView(
      tenant,
      offer,
      'to be held again by the dispatcher or sent',
      (v) => (v.status === 'held' && v.decisions.at(-1)?.stage === 'dispatcher') || ['sending', 'sent', 'delivered', 'failed', 'blocked'].includes(v.status),
    );
    assert.equal(view.status, 'held', `released into a pause, it was ${view.status}`);
    return view;
  }

  async function pendingOptOutReview(): Promise<string> {
    const reviews = await call<{ reviews: { id: string; tenantId: string }[] }>(`${stack.urls.consent}/admin/v1/opt-out-reviews?status=pending&tenantId=${tenant.tenantId}`, {
      apiKey: stack.adminApiKey,
    });
    assert.equal(reviews.body.reviews.length, 1);
    return reviews.body.reviews[0]!.id;
  }

  it('holds the approved offer again (the informational reminder goes) until the review finds no opt-out, then sends it once', async () => {
    const to = pipeline.recipient();
    const { offer, reminder } = await heldThenPaused(to);

    assert.equal((await approve(offer)).status, 200);
    assert.equal((await approve(reminder)).status, 200);
    await pipeline.waitForStatus(tenant, reminder, ['delivered']);
    const held = await afterRelease(offer);
    const why = held.decisions.at(-1)!;
    assert.deepEqual([why.decision, why.clauses], ['hold', ['MP.OPTOUT.HONOR']]);
    assert.match(why.reason, /marketing to this person is paused .*awaits its review/);
    assert.deepEqual(
      held.decisions.map((d) => d.stage),
      ['consent', 'content-screening', 'review', 'snowshoeing-detector', 'dispatcher'],
      'the timeline says it was released, then held at the last moment',
    );

    // Only the opt-out review decides it now, not another approval.
    const again = await approve(offer);
    assert.equal(again.status, 409);
    assert.match(again.body.detail ?? '', /opt-out review/);
    assert.deepEqual(
      (await pipeline.simMessages(to)).map((m) => m.body).filter((b) => /whitening/.test(b)),
      [],
    );

    const decided = await call(`${stack.urls.consent}/admin/v1/opt-out-reviews/${await pendingOptOutReview()}/decision`, {
      apiKey: stack.adminApiKey,
      body: { decision: 'not_opt_out', decidedBy: 'Casey Compliance' },
    });
    assert.equal(decided.status, 200);
    const sent = await pipeline.waitForStatus(tenant, offer, ['delivered']);
    assert.match(sent.decisions.filter((d) => d.stage === 'review').at(-1)?.reason ?? '', /approved by opt-out review \(Casey Compliance: not an opt-out\)/);
    assert.equal((await pipeline.simMessages(to)).filter((m) => /whitening/.test(m.body)).length, 1);
  });

  it('blocks the held offer when the review finds an opt-out', async () => {
    const to = pipeline.recipient();
    const { offer } = await heldThenPaused(to);
    assert.equal((await approve(offer)).status, 200);
    await afterRelease(offer);

    const decided = await call(`${stack.urls.consent}/admin/v1/opt-out-reviews/${await pendingOptOutReview()}/decision`, {
      apiKey: stack.adminApiKey,
      body: { decision: 'opted_out', decidedBy: 'Casey Compliance' },
    });
    assert.equal(decided.status, 200);
    const blocked = await pipeline.waitForStatus(tenant, offer, ['blocked']);
    const why = blocked.decisions.at(-1)!;
    assert.deepEqual([why.stage, why.decision, why.clauses], ['review', 'block', ['MP.OPTOUT.HONOR']]);
    assert.match(why.reason, /rejected by opt-out review \(Casey Compliance\)/);
    assert.deepEqual(
      (await pipeline.simMessages(to)).filter((m) => /whitening/.test(m.body)),
      [],
    );
  });
});
