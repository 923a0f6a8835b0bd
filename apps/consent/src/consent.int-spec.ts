import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type ConsentStateView, type InboundMessageEvent, type MessageEnvelope, type StatusEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { encodeValue } from '@sms/kafka';
import { aRecipient, anEnvelope, aTenant, call, produceRaw, publishTenant, startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import { hashApiKey } from '@sms/tenancy';
import pg from 'pg';
import { ConsentModule } from './app.module.js';
import { CONSENT_CONFIG } from './config.js';

const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
const pseudonyms = new Pseudonymizer(stack.piiHashKey);
const tenantId = `consent-${randomUUID().slice(0, 8)}`;
const apiKey = `sk_${randomUUID()}`;
const senders = ['+14155550301', '+14155550302'];

describe('consent service (real Kafka and Postgres)', () => {
  let consent: RunningService;
  const consented = new TopicTap(kafka, TOPICS.consented);
  const stopped = new TopicTap(kafka, TOPICS.stopped);
  const accepted = new TopicTap(kafka, TOPICS.accepted);
  const states = new TopicTap(kafka, TOPICS.consentState);
  const deadLetters = new TopicTap(kafka, TOPICS.deadLetter);
  const changes = new TopicTap(kafka, TOPICS.consentChanges);

  /** Where the review console would be served (audit's /console/). */
  const consoleOrigin = 'http://127.0.0.1:4005';

  before(async () => {
    await publishTenant(
      aTenant({
        tenantId,
        apiKeyHashes: [hashApiKey(apiKey)],
        brands: [{ name: 'Acme Dental', helpText: 'Acme Dental: call (415) 555-0100 for help. Reply STOP to opt out.' }, { name: 'Acme Ortho' }],
        campaigns: [
          { id: 'offers', brand: 'Acme Dental', useCase: 'marketing' },
          { id: 'reminders', brand: 'Acme Dental', useCase: 'informational' },
          { id: 'conversations', brand: 'Acme Dental', useCase: 'conversational' },
          { id: 'ortho-offers', brand: 'Acme Ortho', useCase: 'marketing' },
        ],
        senders: senders.map((number) => ({ number, type: 'long_code' as const, brand: 'Acme Dental' })),
        messagingServices: [],
      }),
    );
    await Promise.all([consented.start(), stopped.start(), accepted.start(), states.start(), deadLetters.start(), changes.start()]);
    consent = await startServiceInProcess({
      name: 'consent',
      spec: CONSENT_CONFIG,
      module: (c, l) => ConsentModule.forRoot(c, l),
      env: { CONSOLE_ORIGINS: `${consoleOrigin}/` },
      corsOrigins: (c) => c.CONSOLE_ORIGINS,
    });
  });

  after(async () => {
    await consent.stop();
    await Promise.all([consented.stop(), stopped.stop(), accepted.stop(), states.stop(), deadLetters.stop(), changes.stop()]);
  });

  const capture = (to: string, brand: string, campaign: string, extra: Record<string, unknown> = {}) =>
    call<{ id: string; type?: string; errors?: { path: string }[] }>(`${consent.url}/v1/consents`, {
      apiKey,
      body: {
        to,
        brand,
        campaign,
        basis: 'express',
        source: 'web_form',
        capturedAt: new Date(Date.now() - 3_600_000).toISOString(),
        wording: `Yes, text me offers from ${brand}. Reply STOP to opt out.`,
        evidence: { formId: 'signup', ip: '203.0.113.5' },
        ...extra,
      },
    });

  const envelope = (to: string, message: Partial<MessageEnvelope['message']> = {}, rest: Partial<MessageEnvelope> = {}) =>
    anEnvelope({
      tenantId,
      message: { to, from: senders[0], brand: 'Acme Dental', campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: 20% off. Reply STOP to opt out.', ...message },
      ...rest,
    });

  // Keyed as intake keys them: by recipient token, which consent takes from the key.
  const publish = (e: MessageEnvelope) => produceRaw(kafka, TOPICS.accepted.name, [{ key: pseudonyms.token(e.tenantId, e.message.to), value: encodeValue(e) }]);
  const inbound = (from: string, body: string, receivedAt = new Date()): InboundMessageEvent => ({
    id: randomUUID(),
    tenantId,
    twilioSid: `SM${randomUUID().replace(/-/g, '')}`,
    from,
    to: senders[0]!,
    body,
    receivedAt: receivedAt.toISOString(),
  });
  const text = (event: InboundMessageEvent) => produceRaw(kafka, TOPICS.inbound.name, [{ key: pseudonyms.token(event.tenantId, event.from), value: encodeValue(event) }]);
  const outcome = (id: string) => waitFor(`the consent decision for ${id}`, async () => consented.find((e) => e.id === id) ?? stopped.find((e) => e.id === id));
  /** A consent capture as a sign-up flow publishes it on consent.captures.v1; `fields` replace its defaults. */
  const captureEvent = (captureId: string, to: string, fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      tenantId,
      captureId,
      to,
      brand: 'Acme Dental',
      campaign: 'offers',
      basis: 'express',
      source: 'web_form',
      capturedAt: new Date().toISOString(),
      wording: 'Yes, send me offers from Acme Dental. Reply STOP to opt out.',
      evidence: { formId: 'batch' },
      ...fields,
    });
  /** The dead letter of the capture with this id, once there is one. */
  const deadCapture = (captureId: string) =>
    deadLetters.find(
      (d) =>
        d.sourceTopic === TOPICS.consentCaptures.name &&
        Buffer.from(d.valueBase64 ?? '', 'base64')
          .toString()
          .includes(captureId),
    );
  const state = async (to: string) => (await call<ConsentStateView>(`${consent.url}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent('Acme Dental')}`, { apiKey })).body;

  it('passes a message with consent for its brand and campaign, with a receipt, and refuses the same consent for another brand', async () => {
    const to = aRecipient();
    const recorded = await capture(to, 'Acme Dental', 'offers');
    assert.equal(recorded.status, 201);
    const ok = envelope(to);
    const other = envelope(to, { brand: 'Acme Ortho', campaign: 'ortho-offers', body: 'Acme Ortho: braces offer. Reply STOP to opt out.' });
    await publish(ok);
    await publish(other);
    const passed = await outcome(ok.id);
    assert.equal(passed.verdicts.at(-1)?.decision, 'pass');
    assert.equal(passed.consent?.recordId, recorded.body.id);
    assert.equal(passed.consent?.basis, 'express');
    const refused = await outcome(other.id);
    assert.equal(refused.verdicts.at(-1)?.decision, 'block');
    assert.deepEqual(refused.verdicts.at(-1)?.clauses, ['MP.CONSENT.SCOPE', 'MP.CONSENT.PRIOR']);
  });

  it('refuses a purchased list through the API and through the captures topic (MP.CONSENT.NOT_PURCHASED)', async () => {
    const to = aRecipient();
    const refused = await capture(to, 'Acme Dental', 'offers', { source: 'purchased_list' });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.type, 'urn:sms-gateway:problem:consent-not-purchasable');
    assert.deepEqual(
      refused.body.errors?.map((e) => e.path),
      ['body.source'],
    );

    const captureId = randomUUID();
    await produceRaw(kafka, TOPICS.consentCaptures.name, [
      {
        key: to,
        value: captureEvent(captureId, to, { source: 'rented_list', wording: 'x', evidence: { formId: 'list' } }),
      },
    ]);
    const dead = await waitFor('the dead letter of the rented list', async () => deadCapture(captureId));
    assert.match(dead.error.message, /^MP\.CONSENT\.NOT_PURCHASED/);
    const view = await state(to);
    assert.equal(view.records.length, 0, 'nothing was recorded');
  });

  it('records a batch of captures from the topic, each once, and dead-letters each refused one with its own reason', async () => {
    const people = [aRecipient(), aRecipient(), aRecipient(), aRecipient()];
    const ids = people.map(() => randomUUID());
    const captureOf = (i: number, extra: Record<string, unknown> = {}) => captureEvent(ids[i]!, people[i]!, extra);
    const stranger = randomUUID();
    // One produce, so one batch: a refused capture between valid ones, a redelivered one, a stranger's.
    await produceRaw(kafka, TOPICS.consentCaptures.name, [
      { key: 'batch', value: captureOf(0) },
      { key: 'batch', value: captureOf(1, { source: 'rented_list' }) },
      { key: 'batch', value: captureOf(2) },
      { key: 'batch', value: captureOf(0) },
      { key: 'batch', value: captureOf(3, { tenantId: `unknown-${stranger}` }) },
    ]);
    const deadOf = (i: number) => deadCapture(ids[i]!);
    const rented = await waitFor('the rented capture dead-lettered', async () => deadOf(1));
    assert.match(rented.error.message, /^MP\.CONSENT\.NOT_PURCHASED/);
    const unknown = await waitFor("the stranger's capture dead-lettered", async () => deadOf(3));
    assert.equal(unknown.error.message, `tenantId: tenant "unknown-${stranger}" is unknown`);
    for (const i of [0, 2]) {
      const view = await waitFor('the capture recorded', async () => {
        const v = await state(people[i]!);
        return v.records.length > 0 ? v : undefined;
      });
      assert.equal(view.records.length, 1, `person ${i} has one record`);
    }
    assert.equal(deadOf(0), undefined);
    assert.equal(deadOf(2), undefined);
    assert.equal((await state(people[1]!)).records.length, 0);
  });

  it('allows a conversational reply inside the window and refuses it after', async () => {
    const recent = aRecipient();
    const stale = aRecipient();
    await text(inbound(recent, 'Can I move my cleaning to Thursday?'));
    await text(inbound(stale, 'Can I move my cleaning?', new Date(Date.now() - 25 * 3_600_000)));
    // The person's message must be recorded before the reply is decided.
    for (const to of [recent, stale]) await waitFor('the inbound message to be recorded', async () => ((await state(to)).conversations.length > 0 ? true : undefined));
    const inside = envelope(recent, { campaign: 'conversations', useCase: 'conversational', body: 'Yes, Thursday 3pm works.' });
    const outside = envelope(stale, { campaign: 'conversations', useCase: 'conversational', body: 'Yes, Thursday 3pm works.' });
    await publish(inside);
    await publish(outside);
    assert.equal((await outcome(inside.id)).verdicts.at(-1)?.decision, 'pass');
    const late = await outcome(outside.id);
    assert.equal(late.verdicts.at(-1)?.decision, 'block');
    assert.ok(late.verdicts.at(-1)?.clauses.includes('MP.CONSENT.CONVERSATION'));
  });

  it('records STOP at once, publishes the opt-out state and one confirmation, even when the STOP is delivered twice', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    const stop = inbound(to, 'Stop.');
    await text(stop);
    await text(stop);
    const published = await waitFor('the opt-out state', async () => states.find((s) => s.tenantId === tenantId && s.optedOut && s.scope === 'brand:Acme Dental' && s.changedAt === stop.receivedAt));
    assert.equal(published.optedOut, true);
    const confirmations = () => accepted.records.filter((r) => r.value?.kind === 'opt_out_confirmation' && r.value.message.to === to).map((r) => r.value!);
    const [confirmation] = await waitFor('the confirmation', async () => (confirmations().length > 0 ? confirmations() : undefined));
    assert.match(confirmation!.message.body, /unsubscribed/);
    assert.equal(new Set(confirmations().map((c) => c.id)).size, 1, 'one confirmation, whatever the redeliveries');
    // Consent passes its own confirmation, and blocks everything else to the person.
    assert.equal((await outcome(confirmation!.id)).verdicts.at(-1)?.decision, 'pass');
    const after = envelope(to);
    await publish(after);
    assert.deepEqual((await outcome(after.id)).verdicts.at(-1)?.clauses, ['MP.OPTOUT.HONOR']);
    const view = await state(to);
    assert.equal(view.state.optedOut, true);
    assert.equal(view.records.length, 1, 'opting out deleted nothing (MP.CONSENT.RETAIN_PROOF)');
    // Audit gets the change with its proof: the inbound message and the confirmation sent.
    const change = await waitFor('the opt-out change for audit', async () => changes.find((c) => c.kind === 'opted_out' && c.proof.inboundTwilioSid === stop.twilioSid));
    assert.equal(change.proof.inboundBody, 'Stop.');
    assert.equal(change.proof.confirmationMessageId, confirmation!.id);
    assert.ok(changes.find((c) => c.kind === 'consent_recorded' && c.recipientToken === change.recipientToken));
  });

  it('honours an opt-out in ordinary words, and records why', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    await text(inbound(to, 'Please stop texting me, thanks'));
    const event = await waitFor('the opt-out event', async () => (await state(to)).optEvents.find((e) => e.kind === 'opt_out'));
    assert.equal((await state(to)).state.optedOut, true);
    assert.equal(event.source, 'inbound_phrase');
    assert.equal(event.evidence, 'please stop texting me');
    assert.ok((event.confidence ?? 0) >= 0.9);
  });

  it('honours a STOP whose record came without its key, as the person who wrote it', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    await produceRaw(kafka, TOPICS.inbound.name, [{ key: null, value: encodeValue(inbound(to, 'STOP')) }]);
    await waitFor('the opt-out', async () => ((await state(to)).state.optedOut ? true : undefined));
  });

  it('pauses marketing on an unclear reply until a person decides, then records the decision', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    const reply = inbound(to, 'too many texts lately');
    await text(reply);
    await waitFor('the pause', async () => ((await state(to)).state.marketingPaused ? true : undefined));
    // The dispatcher learns of the pause too: marketing released from another hold meanwhile waits at the last moment.
    const paused = await waitFor('the pause on consent.state.v1', async () => states.find((s) => s.tenantId === tenantId && s.marketingPaused === true && s.changedAt === reply.receivedAt));
    assert.equal(paused.optedOut, false);
    const held = envelope(to);
    await publish(held);
    assert.equal((await outcome(held.id)).verdicts.at(-1)?.decision, 'hold');

    const reviews = await call<{ reviews: { id: string; tenantId: string; status: string; body: string; evidence: string }[] }>(`${consent.url}/v1/opt-out-reviews?status=pending`, { apiKey });
    const review = reviews.body.reviews.find((r) => r.body === 'too many texts lately');
    assert.ok(review, 'the clinic sees the reply queued for a human decision');
    assert.equal(review.tenantId, tenantId);

    // A clinic never clears its own compliance holds: its key cannot decide, nor open the reviewers' queue.
    const byClinic = await call<{ type: string; detail: string }>(`${consent.url}/v1/opt-out-reviews/${review.id}/decision`, { apiKey, body: { decision: 'not_opt_out', decidedBy: 'front desk' } });
    assert.equal(byClinic.status, 403);
    assert.equal(byClinic.body.type, 'urn:sms-gateway:problem:compliance-decision');
    assert.match(byClinic.body.detail, /\/admin\/v1\/opt-out-reviews\//);
    assert.equal((await call(`${consent.url}/admin/v1/opt-out-reviews/${review.id}/decision`, { apiKey, body: { decision: 'not_opt_out', decidedBy: 'front desk' } })).status, 401);
    assert.equal((await call(`${consent.url}/admin/v1/opt-out-reviews`, { apiKey })).status, 401);
    assert.equal((await state(to)).state.marketingPaused, true, 'still paused');

    // The compliance reviewers see every tenant's queue and decide by name.
    const queue = await call<{ reviews: { id: string; tenantId: string }[] }>(`${consent.url}/admin/v1/opt-out-reviews?status=pending&tenantId=${tenantId}`, { apiKey: stack.adminApiKey });
    assert.deepEqual(queue.body.reviews.find((r) => r.id === review.id)?.tenantId, tenantId);
    const unnamed = await call<{ errors: { path: string }[] }>(`${consent.url}/admin/v1/opt-out-reviews/${review.id}/decision`, {
      apiKey: stack.adminApiKey,
      body: { decision: 'opted_out', decidedBy: '  ' },
    });
    assert.equal(unnamed.status, 400, 'a decision names its reviewer');
    assert.deepEqual(
      unnamed.body.errors.map((e) => e.path),
      ['body.decidedBy'],
    );
    const decided = await call<{ status: string; decidedBy: string }>(`${consent.url}/admin/v1/opt-out-reviews/${review.id}/decision`, {
      apiKey: stack.adminApiKey,
      body: { decision: 'opted_out', decidedBy: 'Casey Compliance' },
    });
    assert.equal(decided.status, 200);
    assert.equal(decided.body.status, 'opted_out');
    assert.equal(decided.body.decidedBy, 'Casey Compliance');
    const again = await call(`${consent.url}/admin/v1/opt-out-reviews/${review.id}/decision`, { apiKey: stack.adminApiKey, body: { decision: 'not_opt_out', decidedBy: 'someone else' } });
    assert.equal(again.status, 409);
    const unknown = await call(`${consent.url}/admin/v1/opt-out-reviews/${randomUUID()}/decision`, { apiKey: stack.adminApiKey, body: { decision: 'opted_out', decidedBy: 'Casey Compliance' } });
    assert.equal(unknown.status, 404);
    assert.equal((await state(to)).state.optedOut, true);
    const decidedState = await waitFor('the decision on consent.state.v1', async () => states.find((s) => s.recipientToken === paused.recipientToken && s.scope === paused.scope && s.optedOut));
    assert.equal(decidedState.marketingPaused, undefined, 'the pause ended with the decision');
  });

  it('restores consent on START with the inbound message as proof, and answers HELP with the help text', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    await text(inbound(to, 'STOP'));
    await waitFor('the opt-out', async () => ((await state(to)).state.optedOut ? true : undefined));
    const start = inbound(to, 'START');
    await text(start);
    const view = await waitFor('the opt-in', async () => {
      const v = await state(to);
      return v.state.optedOut ? undefined : v;
    });
    const restored = view.records.find((r) => r.source === 'sms_keyword');
    assert.equal(restored?.evidence['inboundMessageSid'], start.twilioSid);
    const message = envelope(to);
    await publish(message);
    assert.equal((await outcome(message.id)).verdicts.at(-1)?.decision, 'pass');

    await text(inbound(to, 'HELP'));
    const help = await waitFor('the help reply', async () => accepted.find((e) => e.kind === 'help_reply' && e.message.to === to));
    assert.equal(help.message.body, 'Acme Dental: call (415) 555-0100 for help. Reply STOP to opt out.');
    assert.equal((await outcome(help.id)).verdicts.at(-1)?.decision, 'pass');
  });

  it("lets the review console's origin, and no other, call the opt-out reviews from a browser", async () => {
    const preflight = (origin: string) =>
      fetch(`${consent.url}/admin/v1/opt-out-reviews/${randomUUID()}/decision`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const allowed = await preflight(consoleOrigin);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), consoleOrigin, 'the configured origin, its trailing slash dropped');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
    assert.equal((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin'), null);
    const list = await fetch(`${consent.url}/v1/opt-out-reviews`, { headers: { origin: consoleOrigin, authorization: `Bearer ${apiKey}` } });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('access-control-allow-origin'), consoleOrigin);
  });

  it('records an opt-out when Twilio refuses a send with 21610, with Twilio as its source', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    const message = envelope(to);
    await publish(message);
    await outcome(message.id);
    const refused: StatusEvent = {
      messageId: message.id,
      tenantId,
      status: 'failed',
      source: 'dispatcher',
      errorCode: 21610,
      errorMessage: 'Attempt to send to unsubscribed recipient',
      at: new Date().toISOString(),
    };
    await produceRaw(kafka, TOPICS.status.name, [{ key: message.id, value: encodeValue(refused) }]);
    const event = await waitFor('the opt-out from Twilio', async () => (await state(to)).optEvents.find((e) => e.kind === 'opt_out'));
    assert.equal(event.source, 'twilio_error_21610');
    assert.equal((await state(to)).state.optedOut, true);

    // A second refusal, of a message decided before the opt-out, confirms it and records nothing more.
    const earlier = envelope(to);
    await publish(earlier);
    await outcome(earlier.id);
    const again: StatusEvent = { ...refused, messageId: earlier.id, at: new Date().toISOString() };
    const marker = aRecipient();
    await capture(marker, 'Acme Dental', 'offers');
    const markerMessage = envelope(marker);
    await publish(markerMessage);
    await outcome(markerMessage.id);
    await produceRaw(kafka, TOPICS.status.name, [
      { key: earlier.id, value: encodeValue(again) },
      { key: earlier.id, value: encodeValue({ ...refused, messageId: markerMessage.id } satisfies StatusEvent) },
    ]);
    // The marker's refusal, behind it on the same partition, is recorded: by then the first was handled too.
    await waitFor('the marker opt-out', async () => (await state(marker)).optEvents.find((e) => e.kind === 'opt_out'));
    assert.equal((await state(to)).optEvents.filter((e) => e.kind === 'opt_out').length, 1, 'one opt-out, not two');
  });

  it('counts a message as sent from its first status that reached Twilio, whatever order its statuses come in', async () => {
    const to = aRecipient();
    await capture(to, 'Acme Dental', 'offers');
    const message = envelope(to);
    await publish(message);
    await outcome(message.id);
    const t0 = Date.now() - 10_000;
    const status = (s: StatusEvent['status'], offsetMs: number): { key: string; value: Buffer } => ({
      key: message.id,
      value: encodeValue({ messageId: message.id, tenantId, status: s, source: s === 'sending' ? 'dispatcher' : 'twilio-callback', at: new Date(t0 + offsetMs).toISOString() } satisfies StatusEvent),
    });
    await produceRaw(kafka, TOPICS.status.name, [status('delivered', 2_000), status('sending', 0), status('sent', 1_000)]);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const sentAt = await waitFor('the message counted as sent', async () => {
        const { rows } = await db.query<{ sent_at: Date | null }>(`SELECT sent_at FROM consent.message_decisions WHERE message_id = $1`, [message.id]);
        return rows[0]?.sent_at ?? undefined;
      });
      assert.equal(sentAt.getTime(), t0);
      // A late status of the same message changes nothing.
      await produceRaw(kafka, TOPICS.status.name, [status('delivered', 5_000)]);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const { rows } = await db.query<{ sent_at: Date; first_sent_at: Date; last_sent_at: Date }>(
        `SELECT d.sent_at, a.first_sent_at, a.last_sent_at FROM consent.message_decisions d
           JOIN consent.recipient_activity a USING (tenant_id, recipient_token, brand) WHERE d.message_id = $1`,
        [message.id],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.sent_at.getTime(), t0);
      assert.equal(rows[0]!.first_sent_at.getTime(), t0);
      // The statuses may come in one batch or several: the person's last send is one of the
      // three first statuses' times, never the late one's.
      assert.ok(rows[0]!.last_sent_at.getTime() <= t0 + 2_000, `last sent ${rows[0]!.last_sent_at.toISOString()}`);
    } finally {
      await db.end();
    }
  });

  it('puts a verified age on the message, and lets a relationship cover reminders only', async () => {
    const to = aRecipient();
    const verified = await call(`${consent.url}/v1/age-verifications`, {
      apiKey,
      body: { to, dateOfBirth: '1990-05-01', method: 'government_id', verifiedAt: new Date().toISOString() },
    });
    assert.equal(verified.status, 201);
    const relationship = await call(`${consent.url}/v1/relationships`, {
      apiKey,
      body: { to, brand: 'Acme Dental', campaign: 'reminders', action: 'appointment_booked', occurredAt: new Date().toISOString(), reference: 'booking-7731' },
    });
    assert.equal(relationship.status, 201);
    const reminder = envelope(to, { campaign: 'reminders', useCase: 'informational', body: 'Acme Dental: your cleaning is on Monday at 9:00.' });
    const promo = envelope(to);
    await publish(reminder);
    await publish(promo);
    const passed = await outcome(reminder.id);
    assert.equal(passed.verdicts.at(-1)?.decision, 'pass');
    assert.equal(passed.consent?.basis, 'prior_relationship');
    assert.ok((passed.recipient.verifiedAge ?? 0) >= 36);
    assert.equal((await outcome(promo.id)).verdicts.at(-1)?.decision, 'block');
    const forMarketing = await call(`${consent.url}/v1/relationships`, {
      apiKey,
      body: { to, brand: 'Acme Dental', campaign: 'offers', action: 'order_placed', occurredAt: new Date().toISOString(), reference: 'order-1' },
    });
    assert.equal(forMarketing.status, 422);
  });
});
