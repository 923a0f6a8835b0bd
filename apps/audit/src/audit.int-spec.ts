import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { messageIdFor, TOPICS, type ConsentChangeEvent, type MessageEnvelope, type MessageHistoryView, type StatusEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { encodeValue } from '@sms/kafka';
import { hashApiKey } from '@sms/tenancy';
import { aRecipient, anEnvelope, aTenant, call, produceRaw, publishTenant, startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import pg from 'pg';
import { AuditModule } from './app.module.js';
import { AUDIT_CONFIG } from './config.js';

const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
const tenantId = `audit-${randomUUID().slice(0, 8)}`;
const apiKey = `sk_${randomUUID()}`;
const adminKey = 'audit-test-operator-key-0123456789abcdef';
const analystKey = 'audit-test-analyst-key-0123456789';
const pseudonyms = new Pseudonymizer(stack.piiHashKey);

const verdict = (stage: string, decision: 'pass' | 'block' | 'hold', clauses: string[], reason: string, at: string) =>
  ({ stage, decision, clauses, reason, facts: {}, at }) as MessageEnvelope['verdicts'][number];

// No dispatcher here: a cancel request is never answered, and DELETE answers 202 after CANCEL_WAIT_MS.
const startAudit = () =>
  startServiceInProcess({ name: 'audit', spec: AUDIT_CONFIG, module: (c, l) => AuditModule.forRoot(c, l), env: { ADMIN_API_KEY: adminKey, ANALYST_HASH_KEY: analystKey, CANCEL_WAIT_MS: '500' } });

describe('audit (real Kafka and Postgres)', () => {
  let audit: RunningService;
  const analysts = new TopicTap(kafka, TOPICS.analyst);
  const screened = new TopicTap(kafka, TOPICS.screened);
  const accepted = new TopicTap(kafka, TOPICS.accepted);
  const sendRequests = new TopicTap(kafka, TOPICS.sendRequests);
  const cancelRequests = new TopicTap(kafka, TOPICS.cancelRequests);

  before(async () => {
    await publishTenant(aTenant({ tenantId, apiKeyHashes: [hashApiKey(apiKey)] }));
    await Promise.all([analysts.start(), screened.start(), accepted.start(), sendRequests.start(), cancelRequests.start()]);
    audit = await startAudit();
  });
  after(async () => {
    await audit.stop();
    await Promise.all([analysts.stop(), screened.stop(), accepted.stop(), sendRequests.stop(), cancelRequests.stop()]);
  });

  const publish = (topic: string, key: string, value: unknown) => produceRaw(kafka, topic, [{ key, value: encodeValue(value) }]);
  const view = (id: string) => call<MessageHistoryView>(`${audit.url}/v1/messages/${id}`, { apiKey });

  it('keeps the whole story of a message, in any arrival order, and answers what happened to it', async () => {
    const envelope = anEnvelope({ tenantId });
    // The final envelope carries every stage's verdict: audit does not read the topics between the stages.
    const cleared = {
      ...envelope,
      verdicts: [
        verdict('consent', 'pass', ['MP.CONSENT.PRIOR'], 'express consent', '2026-11-27T10:00:01.000Z'),
        verdict('content-screening', 'pass', ['MP.CONTENT.ILLEGAL'], 'nothing prohibited', '2026-11-27T10:00:02.000Z'),
        verdict('snowshoeing-detector', 'pass', ['MP.EVASION.SNOWSHOE'], 'ordinary use', '2026-11-27T10:00:03.000Z'),
      ],
    };
    const delivered: StatusEvent = {
      messageId: envelope.id,
      tenantId,
      status: 'delivered',
      source: 'twilio-callback',
      twilioSid: 'SM0123456789abcdef0123456789abcdef',
      at: '2026-11-27T10:00:05.000Z',
    };
    const sent: StatusEvent = { ...delivered, status: 'sent', at: '2026-11-27T10:00:04.000Z' };
    await publish(TOPICS.status.name, envelope.id, delivered);
    await publish(TOPICS.status.name, envelope.id, sent);
    await publish(TOPICS.cleared.name, envelope.id, cleared);
    await publish(TOPICS.accepted.name, envelope.id, envelope);
    await publish(TOPICS.accepted.name, envelope.id, envelope); // a redelivery: recorded once
    const history = await waitFor('the whole history', async () => {
      const answer = await view(envelope.id);
      return answer.status === 200 && answer.body.statuses.length === 3 && answer.body.decisions.length === 3 ? answer.body : undefined;
    });
    assert.deepEqual(
      history.decisions.map((d) => [d.stage, d.decision, d.at]),
      cleared.verdicts.map((v) => [v.stage, v.decision, v.at]),
      'every verdict, in order',
    );
    assert.equal(history.status, 'delivered', 'the late "sent" did not move it back');
    assert.equal(history.twilioSid, delivered.twilioSid);
    const other = await call(`${audit.url}/v1/messages/${envelope.id}`, { apiKey: 'sk_not_a_key' });
    assert.equal(other.status, 401);
  });

  it('records a held and released message from its final envelope, and tells the analysts each of its decisions once', async () => {
    const envelope = anEnvelope({ tenantId });
    const consent = verdict('consent', 'pass', ['MP.CONSENT.PRIOR'], 'express consent', '2026-11-27T11:00:01.000Z');
    const hold = verdict('content-screening', 'hold', ['MP.EVASION.CONTENT'], 'a public URL shortener hides where the link goes', '2026-11-27T11:00:02.000Z');
    const review = verdict('review', 'pass', ['MP.EVASION.CONTENT'], 'approved by Casey Compliance', '2026-11-27T11:05:00.000Z');
    const snowshoe = verdict('snowshoeing-detector', 'pass', ['MP.EVASION.SNOWSHOE'], 'ordinary use', '2026-11-27T11:05:01.000Z');
    await publish(TOPICS.accepted.name, envelope.id, envelope);
    await publish(TOPICS.stopped.name, envelope.id, { ...envelope, verdicts: [consent, hold] });
    await publish(TOPICS.cleared.name, envelope.id, { ...envelope, verdicts: [consent, hold, review, snowshoe] });
    const history = await waitFor('the released message', async () => {
      const answer = await view(envelope.id);
      return answer.status === 200 && answer.body.decisions.length === 4 ? answer.body : undefined;
    });
    assert.deepEqual(
      history.decisions.map((d) => `${d.stage}:${d.decision}`),
      ['consent:pass', 'content-screening:hold', 'review:pass', 'snowshoeing-detector:pass'],
    );
    const expected = ['status:accepted', 'decision:consent:0', 'decision:content-screening:1', 'decision:review:2', 'decision:snowshoeing-detector:3'].map((key) => `${envelope.id}|${key}`);
    // One tenant's analyst events share a partition, in order: once the last of each record's
    // events is there, so is anything that record told twice.
    await waitFor('every decision on the analysts stream', async () => (expected.every((id) => analysts.find((e) => e.eventId === id)) ? true : undefined));
    const told = analysts.records.map((r) => r.value?.eventId).filter((id) => id?.startsWith(envelope.id));
    assert.deepEqual(told.sort(), [...expected].sort(), 'each decision told once');
  });

  it('adds nothing when its topics are read again from before a message (offsets a crash did not commit): no duplicate, the chain intact', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const topics = [TOPICS.accepted, TOPICS.cleared, TOPICS.stopped, TOPICS.status].map((t) => t.name);
      const from = await Promise.all(topics.map(async (topic) => ({ topic, partitions: (await admin.fetchTopicOffsets(topic)).map(({ partition, offset }) => ({ partition, offset })) })));
      const envelope = anEnvelope({ tenantId });
      const cleared = { ...envelope, verdicts: [verdict('consent', 'pass', ['MP.CONSENT.PRIOR'], 'express consent', '2026-11-27T12:00:01.000Z')] };
      const status = (s: 'sending' | 'sent' | 'delivered', at: string): StatusEvent => ({
        messageId: envelope.id,
        tenantId,
        status: s,
        source: s === 'sending' ? 'dispatcher' : 'twilio-callback',
        at,
      });
      await publish(TOPICS.accepted.name, envelope.id, envelope);
      await publish(TOPICS.cleared.name, envelope.id, cleared);
      for (const [s, at] of [
        ['sending', '2026-11-27T12:00:02.000Z'],
        ['sent', '2026-11-27T12:00:03.000Z'],
        ['delivered', '2026-11-27T12:00:04.000Z'],
      ] as const)
        await publish(TOPICS.status.name, envelope.id, status(s, at));
      const rows = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit.message_events WHERE message_id = $1`, [envelope.id])).rows[0]!.n);
      await waitFor('the whole history', async () => ((await rows()) === 5 ? true : undefined));

      // As if audit had crashed after its transactions committed and before its offsets did.
      await audit.stop();
      for (const { topic, partitions } of from) await admin.setOffsets({ groupId: `audit.${topic}`, topic, partitions });
      const ends = await Promise.all(topics.map(async (topic) => ({ topic, ends: await admin.fetchTopicOffsets(topic) })));
      audit = await startAudit();
      await waitFor('audit to read its topics again to their ends', async () => {
        for (const { topic, ends: partitions } of ends) {
          const [committed] = await admin.fetchOffsets({ groupId: `audit.${topic}`, topics: [topic] });
          for (const end of partitions) if (Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1) < Number(end.offset)) return undefined;
        }
        return true;
      });
      assert.equal(await rows(), 5, 'every event of the message recorded once');
      const verified = await call<{ ok: boolean }>(`${audit.url}/v1/history/verify`, { apiKey });
      assert.equal(verified.body.ok, true);
    } finally {
      await db.end();
      await admin.disconnect();
    }
  });

  it('says when a deferred message will go, why, and under which clause', async () => {
    const envelope = anEnvelope({ tenantId });
    const scheduledFor = '2026-11-28T13:00:00.000Z';
    const scheduled: StatusEvent = {
      messageId: envelope.id,
      tenantId,
      status: 'scheduled',
      source: 'dispatcher',
      scheduledFor,
      reason: 'quiet hours in America/New_York (21:00-08:00): deferred to the next allowed time',
      clauses: ['MP.COUNTRY'],
      at: '2026-11-28T02:00:00.000Z',
    };
    await publish(TOPICS.accepted.name, envelope.id, envelope);
    await publish(TOPICS.status.name, envelope.id, scheduled);
    const history = await waitFor('the deferral', async () => {
      const answer = await view(envelope.id);
      return answer.status === 200 && answer.body.status === 'scheduled' ? answer.body : undefined;
    });
    assert.deepEqual(history.deferral, { scheduledFor, reason: scheduled.reason, clauses: ['MP.COUNTRY'] });
    assert.deepEqual(
      history.statuses.filter((s) => s.status === 'scheduled').map((s) => [s.scheduledFor, s.reason, s.clauses]),
      [[scheduledFor, scheduled.reason, ['MP.COUNTRY']]],
    );
  });

  it('mirrors the history on the analysts stream without numbers, bodies or proof', async () => {
    const to = aRecipient();
    const envelope = anEnvelope({ tenantId, message: { to, body: `Acme Dental: private offer ${randomUUID()}` } });
    await publish(TOPICS.accepted.name, envelope.id, envelope);
    const change: ConsentChangeEvent = {
      changeId: randomUUID(),
      tenantId,
      recipientToken: pseudonyms.token(tenantId, to),
      kind: 'opted_out',
      at: new Date().toISOString(),
      source: 'inbound_keyword',
      proof: { inboundBody: 'STOP please' },
    };
    await publish(TOPICS.consentChanges.name, tenantId, change);
    const { accepted, optOut } = await waitFor('both analyst events', async () => {
      const a = analysts.find((e) => e.messageId === envelope.id);
      const o = analysts.find((e) => e.eventId === `consent|${change.changeId}`);
      return a && o ? { accepted: a, optOut: o } : undefined;
    });
    assert.equal(accepted.recipient, optOut.recipient, 'the same person joins across messages and consent');
    const everything = JSON.stringify(analysts.records.map((r) => r.value));
    for (const secret of [to, to.slice(1), envelope.message.body, 'STOP please', change.recipientToken]) assert.equal(everything.includes(secret), false, `leaked: ${secret}`);
  });

  it('queues a held message redelivered within one gathered batch once, and goes on with the next', async () => {
    const held = () => anEnvelope({ tenantId, verdicts: [verdict('content-screening', 'hold', ['MP.EVASION.CONTENT'], 'a public URL shortener hides where the link goes', new Date().toISOString())] });
    const first = held();
    const next = held();
    // One produce request on one partition: the message and its redelivery reach audit in one batch.
    await produceRaw(
      kafka,
      TOPICS.stopped.name,
      [first, first, next].map((e) => ({ key: 'one-partition', value: encodeValue(e) })),
    );
    const pending = await waitFor('both held messages', async () => {
      const answer = await call<{ reviews: { messageId: string }[] }>(`${audit.url}/v1/reviews?status=pending`, { apiKey });
      const found = answer.body.reviews.filter((r) => r.messageId === first.id || r.messageId === next.id);
      return found.length === 2 ? found : undefined;
    });
    assert.deepEqual(pending.map((r) => r.messageId).sort(), [first.id, next.id].sort());
  });

  it('queues held messages for the compliance reviewers, who release one where it stopped by name; the clinic sees it but cannot decide it', async () => {
    const envelope = anEnvelope({
      tenantId,
      verdicts: [verdict('content-screening', 'hold', ['MP.EVASION.CONTENT'], 'a public URL shortener hides where the link goes', new Date().toISOString())],
    });
    await publish(TOPICS.stopped.name, envelope.id, envelope);
    const pending = await waitFor('the held message', async () => {
      const answer = await call<{ reviews: { messageId: string; clauses: string[]; body: string }[] }>(`${audit.url}/v1/reviews?status=pending`, { apiKey });
      return answer.body.reviews.find((r) => r.messageId === envelope.id);
    });
    assert.deepEqual(pending.clauses, ['MP.EVASION.CONTENT']);
    assert.equal(pending.body, envelope.message.body);

    const byClinic = await call<{ type: string }>(`${audit.url}/v1/reviews/${envelope.id}/decision`, { apiKey, body: { decision: 'approve', decidedBy: 'dana@acme.example' } });
    assert.equal(byClinic.status, 403, 'a clinic never clears its own holds');
    assert.equal(byClinic.body.type, 'urn:sms-gateway:problem:compliance-decision');
    assert.equal(
      (await call(`${audit.url}/admin/v1/reviews/${envelope.id}/decision`, { apiKey, body: { decision: 'approve', decidedBy: 'dana@acme.example' } })).status,
      401,
      "the tenant's key is not the operator key",
    );

    const queue = await call<{ reviews: { messageId: string; tenantId: string }[] }>(`${audit.url}/admin/v1/reviews?status=pending&tenantId=${tenantId}`, { apiKey: adminKey });
    assert.equal(queue.body.reviews.find((r) => r.messageId === envelope.id)?.tenantId, tenantId);
    const unnamed = await call<{ errors: { path: string }[] }>(`${audit.url}/admin/v1/reviews/${envelope.id}/decision`, { apiKey: adminKey, body: { decision: 'approve', decidedBy: ' ' } });
    assert.equal(unnamed.status, 400, 'every decision names its reviewer');
    assert.deepEqual(
      unnamed.body.errors.map((e) => e.path),
      ['body.decidedBy'],
    );
    const decided = await call(`${audit.url}/admin/v1/reviews/${envelope.id}/decision`, {
      apiKey: adminKey,
      body: { decision: 'approve', decidedBy: 'Casey Compliance', note: "the clinic's own short link" },
    });
    assert.equal(decided.status, 200);
    const again = await call(`${audit.url}/admin/v1/reviews/${envelope.id}/decision`, { apiKey: adminKey, body: { decision: 'reject', decidedBy: 'someone' } });
    assert.equal(again.status, 409);
    const released = await waitFor('the released message on sms.screened.v1', async () => screened.find((e) => e.id === envelope.id));
    assert.equal(released.verdicts.at(-1)?.stage, 'review');
    assert.match(released.verdicts.at(-1)?.reason ?? '', /approved by Casey Compliance: the clinic's own short link/);
  });

  describe('a hold or block from before the dispatcher for a message it handed to Twilio (a redelivery decided anew)', () => {
    type Review = { messageId: string; status: string; decidedBy: string | null };
    const reviews = async (status: string) => (await call<{ reviews: Review[] }>(`${audit.url}/admin/v1/reviews?status=${status}&tenantId=${tenantId}`, { apiKey: adminKey })).body.reviews;
    const screenedOk = (at: string) => verdict('content-screening', 'pass', ['MP.CONTENT.ILLEGAL'], 'nothing prohibited', at);
    /** The message as the detector cleared it, and as it stops it when deciding it anew (the same step). */
    const decidedTwice = (second: 'hold' | 'block') => {
      const screened = anEnvelope({ tenantId, verdicts: [screenedOk(new Date(Date.now() - 60_000).toISOString())] });
      const cleared = {
        ...screened,
        verdicts: [...screened.verdicts, verdict('snowshoeing-detector', 'pass', ['MP.EVASION.SNOWSHOE'], 'within every threshold', new Date(Date.now() - 50_000).toISOString())],
      };
      const stopped = { ...screened, verdicts: [...screened.verdicts, verdict('snowshoeing-detector', second, ['MP.EVASION.SNOWSHOE'], 'cluster already stopped', new Date().toISOString())] };
      const sending: StatusEvent = {
        messageId: screened.id,
        tenantId,
        status: 'sending',
        source: 'dispatcher',
        twilioSid: `SM${randomUUID().replace(/-/g, '')}`,
        at: new Date(Date.now() - 40_000).toISOString(),
      };
      return { cleared, stopped, sending };
    };

    it('queues no review when the hold comes after the hand-over, and the message stays sent', async () => {
      const m = decidedTwice('hold');
      await publish(TOPICS.cleared.name, m.cleared.id, m.cleared);
      await publish(TOPICS.status.name, m.cleared.id, m.sending);
      await waitFor('the hand-over in the history', async () => ((await view(m.cleared.id)).body.status === 'sending' ? true : undefined));
      // The stale hold, then on the same partition a hold of another message: once that one is
      // queued, audit has handled the stale one.
      const control = anEnvelope({
        tenantId,
        message: { to: m.cleared.message.to },
        verdicts: [screenedOk(new Date().toISOString()), verdict('snowshoeing-detector', 'hold', ['MP.EVASION.SNOWSHOE'], 'spread over many numbers', new Date().toISOString())],
      });
      await produceRaw(
        kafka,
        TOPICS.stopped.name,
        [m.stopped, control].map((e) => ({ key: 'one-partition', value: encodeValue(e) })),
      );
      await waitFor('the other hold in the queue', async () => (await reviews('pending')).find((r) => r.messageId === control.id));
      assert.equal(
        (await reviews('pending')).find((r) => r.messageId === m.cleared.id),
        undefined,
        'no review for a message Twilio has',
      );
      assert.equal((await view(m.cleared.id)).body.status, 'sending');
    });

    it('closes the review when the hand-over is recorded after the hold, and a block recorded first does not end a message that went out', async () => {
      const held = decidedTwice('hold');
      const blocked = decidedTwice('block');
      // The detector's second decisions reach audit before its first (another topic, another consumer).
      await publish(TOPICS.stopped.name, held.stopped.id, held.stopped);
      await publish(TOPICS.stopped.name, blocked.stopped.id, blocked.stopped);
      await waitFor('the stale hold queued', async () => (await reviews('pending')).find((r) => r.messageId === held.stopped.id));
      await waitFor('the block recorded', async () => ((await view(blocked.stopped.id)).body.status === 'blocked' ? true : undefined));
      for (const m of [held, blocked]) {
        await publish(TOPICS.cleared.name, m.cleared.id, m.cleared);
        await publish(TOPICS.status.name, m.cleared.id, m.sending);
      }
      const closed = await waitFor('the review superseded by the hand-over', async () => (await reviews('superseded')).find((r) => r.messageId === held.stopped.id));
      assert.equal(closed.decidedBy, 'dispatcher: handed to Twilio');
      const late = await call(`${audit.url}/admin/v1/reviews/${held.stopped.id}/decision`, { apiKey: adminKey, body: { decision: 'reject', decidedBy: 'Casey Compliance' } });
      assert.equal(late.status, 409, 'nothing left to decide');
      assert.equal((await view(held.stopped.id)).body.status, 'sending');
      const delivered: StatusEvent = { ...blocked.sending, status: 'delivered', source: 'twilio-callback', at: new Date(Date.now() - 30_000).toISOString() };
      await publish(TOPICS.status.name, blocked.cleared.id, delivered);
      const history = await waitFor('the delivery', async () => {
        const answer = await view(blocked.stopped.id);
        return answer.body.statuses.some((s) => s.status === 'delivered') ? answer.body : undefined;
      });
      assert.equal(history.status, 'delivered', 'the later block decided nothing');
      assert.ok(
        history.decisions.some((d) => d.decision === 'block'),
        'it stays in the history, as decided',
      );
    });
  });

  it('leaves a hold behind an unclear reply to its opt-out review, whose decision sends it back through consent', async () => {
    const envelope = anEnvelope({
      tenantId,
      verdicts: [verdict('consent', 'hold', ['MP.OPTOUT.HONOR'], 'marketing paused: an unclear reply awaits a decision', new Date().toISOString())],
    });
    await publish(TOPICS.stopped.name, envelope.id, envelope);
    await waitFor('the held message', async () => {
      const answer = await call<{ reviews: { messageId: string }[] }>(`${audit.url}/admin/v1/reviews?status=pending&tenantId=${tenantId}`, { apiKey: adminKey });
      return answer.body.reviews.find((r) => r.messageId === envelope.id);
    });
    const approve = await call<{ type: string }>(`${audit.url}/admin/v1/reviews/${envelope.id}/decision`, { apiKey: adminKey, body: { decision: 'approve', decidedBy: 'Casey Compliance' } });
    assert.equal(approve.status, 409);
    assert.equal(approve.body.type, 'urn:sms-gateway:problem:decided-by-opt-out-review');

    // Consent publishes the review's decision: not an opt-out, the pause ends.
    await publish(TOPICS.consentChanges.name, tenantId, {
      changeId: randomUUID(),
      tenantId,
      recipientToken: pseudonyms.token(tenantId, envelope.message.to),
      kind: 'opted_in',
      at: new Date().toISOString(),
      scope: 'brand:Acme Dental',
      source: 'review:Casey Compliance: not an opt-out',
      proof: {},
    } satisfies ConsentChangeEvent);
    const released = await waitFor('the released message on sms.accepted.v1', async () => accepted.find((e) => e.id === envelope.id));
    assert.equal(released.verdicts.at(-1)?.stage, 'review');
    assert.match(released.verdicts.at(-1)?.reason ?? '', /approved by opt-out review \(Casey Compliance: not an opt-out\)/);
    const closed = await call<{ reviews: { messageId: string; decidedBy: string }[] }>(`${audit.url}/v1/reviews?status=approved`, { apiKey });
    assert.equal(closed.body.reviews.find((r) => r.messageId === envelope.id)?.decidedBy, 'opt-out review (Casey Compliance: not an opt-out)');
  });

  it("edits and resubmits a held message without the dispatcher's answer: the review closes at once, the new text goes to intake, a retry answers the same", async () => {
    const held = async () => {
      const envelope = anEnvelope({ tenantId, verdicts: [verdict('content-screening', 'hold', ['MP.EVASION.CONTENT'], 'a public URL shortener', new Date().toISOString())] });
      await publish(TOPICS.stopped.name, envelope.id, envelope);
      await waitFor('the held message', async () =>
        (await call<{ reviews: { messageId: string }[] }>(`${audit.url}/v1/reviews?status=pending`, { apiKey })).body.reviews.find((r) => r.messageId === envelope.id),
      );
      return envelope;
    };
    const resubmit = (id: string, body: string) => call<{ id: string; replaces: string; type?: string }>(`${audit.url}/v1/reviews/${id}/resubmit`, { apiKey, body: { body } });
    const envelope = await held();
    const edited = `Acme Dental: book at acmedental.example today. Reply STOP to opt out. ${randomUUID()}`;

    const answer = await resubmit(envelope.id, edited);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const newId = messageIdFor(tenantId, `resubmit:${envelope.id}`);
    assert.deepEqual(answer.body, { id: newId, replaces: envelope.id });
    const request = await waitFor('the edited send request', async () => sendRequests.find((r) => r.idempotencyKey === `resubmit:${envelope.id}`));
    assert.deepEqual([request.tenantId, request.to, request.from, request.campaign, request.body], [tenantId, envelope.message.to, envelope.message.from, envelope.message.campaign, edited]);
    const withdrawal = await waitFor('the cancel request', async () => cancelRequests.find((r) => r.messageId === envelope.id));
    assert.equal(withdrawal.reason, 'withdrawn to resubmit an edited text');

    // Closed before anything was published: no reviewer can release the old text now.
    const closed = await call<{ reviews: { messageId: string; decidedBy: string; note: string }[] }>(`${audit.url}/v1/reviews?status=cancelled`, { apiKey });
    assert.deepEqual(
      closed.body.reviews.filter((r) => r.messageId === envelope.id).map((r) => [r.decidedBy, r.note.replace(/ \(text sha256:[0-9a-f]{16}\)$/, '')]),
      [[`API key of tenant ${tenantId}`, `resubmitted as ${newId}`]],
    );
    const approve = await call(`${audit.url}/admin/v1/reviews/${envelope.id}/decision`, { apiKey: adminKey, body: { decision: 'approve', decidedBy: 'Casey Compliance' } });
    assert.equal(approve.status, 409);

    // A retry (the first answer was lost) answers the same, with the same request, which intake takes once.
    const retry = await resubmit(envelope.id, edited);
    assert.equal(retry.status, 202);
    assert.deepEqual(retry.body, answer.body);
    await waitFor('the repeated send request', async () => (sendRequests.records.filter((r) => r.value?.idempotencyKey === `resubmit:${envelope.id}`).length === 2 ? true : undefined));
    // Another text under the same resubmission is not a retry: intake would refuse the reused key.
    assert.equal((await resubmit(envelope.id, `${edited} (again)`)).status, 409);

    // Withdrawn otherwise (DELETE), or decided by a reviewer: nothing to resubmit.
    const withdrawn = await held();
    assert.equal((await call(`${audit.url}/v1/messages/${withdrawn.id}`, { method: 'DELETE', apiKey })).status, 202, 'no dispatcher answers here');
    const late = await resubmit(withdrawn.id, edited);
    assert.equal(late.status, 409);
    assert.equal(late.body.type, 'urn:sms-gateway:problem:already-decided');
    const approved = await held();
    assert.equal((await call(`${audit.url}/admin/v1/reviews/${approved.id}/decision`, { apiKey: adminKey, body: { decision: 'approve', decidedBy: 'Casey Compliance' } })).status, 200);
    assert.equal((await resubmit(approved.id, edited)).status, 409);
    assert.equal(sendRequests.records.filter((r) => r.value?.idempotencyKey === `resubmit:${withdrawn.id}` || r.value?.idempotencyKey === `resubmit:${approved.id}`).length, 0);
  });

  it('exports the consent proof of a person as JSON and as a printable page', async () => {
    const to = aRecipient();
    const token = pseudonyms.token(tenantId, to);
    const now = Date.now();
    await publish(TOPICS.consentChanges.name, tenantId, {
      changeId: randomUUID(),
      tenantId,
      recipientToken: token,
      kind: 'consent_recorded',
      at: new Date(now - 60_000).toISOString(),
      brand: 'Acme Dental',
      campaign: 'offers',
      basis: 'express',
      source: 'web_form',
      proof: { recordId: randomUUID(), wording: 'Yes, text me offers <b>from</b> Acme Dental.', wordingVersion: 'v7', evidence: { formId: 'spring-signup', ip: '203.0.113.4' } },
    } satisfies ConsentChangeEvent);
    await publish(TOPICS.consentChanges.name, tenantId, {
      changeId: randomUUID(),
      tenantId,
      recipientToken: token,
      kind: 'opted_out',
      at: new Date(now).toISOString(),
      scope: 'brand:Acme Dental',
      source: 'inbound_keyword',
      proof: { inboundTwilioSid: 'SMaaaa', inboundBody: 'STOP', keyword: 'STOP', confidence: 1, confirmationMessageId: randomUUID() },
    } satisfies ConsentChangeEvent);
    const proof = await waitFor('the proof', async () => {
      const answer = await call<{ consents: unknown[]; optOuts: { inboundMessage: { body: string }; confirmation: { status: string } }[]; integrity: { ok: boolean } }>(
        `${audit.url}/v1/consent-proof?to=${encodeURIComponent(to)}`,
        { apiKey },
      );
      return answer.body.consents?.length === 1 && answer.body.optOuts?.length === 1 ? answer.body : undefined;
    });
    assert.equal(proof.optOuts[0]!.inboundMessage.body, 'STOP');
    assert.equal(proof.integrity.ok, true);
    const page = await fetch(`${audit.url}/v1/consent-proof?to=${encodeURIComponent(to)}&format=html`, { headers: { authorization: `Bearer ${apiKey}` } });
    const html = await page.text();
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(html, /Proof of consent/);
    assert.match(html, /Yes, text me offers &lt;b&gt;from&lt;\/b&gt; Acme Dental\./, 'content is escaped');
    assert.match(html, /formId: spring-signup/);
  });

  it('chains every tenant history so that a change made behind its back is found by the verify command', async () => {
    const intact = await call<{ ok: boolean; records: number }>(`${audit.url}/v1/history/verify`, { apiKey });
    assert.equal(intact.body.ok, true);
    assert.ok(intact.body.records > 5);
    const verifyCli = fileURLToPath(new URL('./verify.js', import.meta.url));
    const ok = await promisify(execFile)(process.execPath, [verifyCli, tenantId], { env: { ...process.env, DATABASE_URL: stack.databaseUrl } });
    assert.match(ok.stdout, /intact/);

    // Someone with database superuser rights goes around the append-only trigger...
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query(`ALTER TABLE audit.message_events DISABLE TRIGGER message_events_append_only`);
    await db.query(
      `UPDATE audit.message_events SET decision = 'block', reason = 'rewritten' WHERE tenant_id = $1 AND seq = (SELECT min(seq) FROM audit.message_events WHERE tenant_id = $1 AND kind = 'decision')`,
      [tenantId],
    );
    await db.query(`ALTER TABLE audit.message_events ENABLE TRIGGER message_events_append_only`);
    await db.end();
    const tampered = await call<{ ok: boolean; brokenAt: number; reason: string }>(`${audit.url}/v1/history/verify`, { apiKey });
    assert.equal(tampered.body.ok, false);
    assert.match(tampered.body.reason, /changed after it was written/);
    await assert.rejects(
      promisify(execFile)(process.execPath, [verifyCli, tenantId], { env: { ...process.env, DATABASE_URL: stack.databaseUrl } }),
      (error: { code?: number; stdout?: string }) => error.code === 1 && /BROKEN/.test(error.stdout ?? ''),
    );
  });

  it('suspends a campaign past the serious-violation threshold and lets an operator lift it, recording both', async () => {
    const enforcement = new TopicTap(kafka, TOPICS.enforcement);
    await enforcement.start();
    try {
      for (let i = 0; i < 5; i++) {
        const blocked = anEnvelope({ tenantId, message: { campaign: 'offers' }, verdicts: [verdict('content-screening', 'block', ['MP.CONTENT.CANNABIS'], 'cannabis', new Date().toISOString())] });
        await publish(TOPICS.stopped.name, blocked.id, blocked);
      }
      const suspension = await waitFor('the suspension', async () => enforcement.find((e) => e.tenantId === tenantId && e.campaign === 'offers' && e.suspended));
      assert.match(suspension.reason, /campaign offers: 5 serious/);
      const overview = await call<{ suspensions: { tenantId: string; campaign?: string }[] }>(`${audit.url}/admin/v1/enforcement`, { apiKey: adminKey });
      assert.ok(overview.body.suspensions.some((s) => s.tenantId === tenantId && s.campaign === 'offers'));
      assert.equal((await call(`${audit.url}/admin/v1/enforcement`, { apiKey })).status, 401, 'a tenant key is not an operator key');
      const lift = () =>
        call(`${audit.url}/admin/v1/enforcement/lift`, { apiKey: adminKey, body: { tenantId, campaign: 'offers', liftedBy: 'ops@platform.example', reason: 'tenant fixed its campaign' } });
      assert.equal((await lift()).status, 200);
      await waitFor('the lifting', async () => enforcement.find((e) => e.tenantId === tenantId && e.campaign === 'offers' && !e.suspended));

      // Lifting opens a fresh window: the next violation does not suspend again at once (the
      // five before the lift stay in the history); five new ones do.
      const liftedAt = enforcement.records.length;
      for (let i = 0; i < 5; i++) {
        const blocked = anEnvelope({ tenantId, message: { campaign: 'offers' }, verdicts: [verdict('content-screening', 'block', ['MP.CONTENT.CANNABIS'], 'cannabis', new Date().toISOString())] });
        await publish(TOPICS.stopped.name, blocked.id, blocked);
      }
      const again = await waitFor(
        'the second suspension',
        async () =>
          enforcement.records
            .slice(liftedAt)
            .map((r) => r.value)
            .find((e) => e?.tenantId === tenantId && e.campaign === 'offers' && e.suspended) ?? undefined,
      );
      assert.match(again.reason, /campaign offers: 5 serious/, 'counted from the lift on, not with the five before it');

      // Lifting what is not suspended is refused and writes nothing.
      const db = new pg.Client({ connectionString: stack.databaseUrl });
      await db.connect();
      try {
        const count = async () => (await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit.tenant_events WHERE tenant_id = $1`, [tenantId])).rows[0]!.n;
        const before = await count();
        const noop = await call<{ status: number; detail: string }>(`${audit.url}/admin/v1/enforcement/lift`, {
          apiKey: adminKey,
          body: { tenantId, campaign: 'reminders', liftedBy: 'ops@platform.example', reason: 'by mistake' },
        });
        assert.equal(noop.status, 409);
        assert.match(noop.body.detail, /not suspended/);
        assert.equal(await count(), before, 'no history written');
      } finally {
        await db.end();
      }
    } finally {
      await enforcement.stop();
    }
  });
});
