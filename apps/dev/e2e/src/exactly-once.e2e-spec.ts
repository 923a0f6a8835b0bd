import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { messageIdFor, TOPICS } from '@sms/contracts';
import { call, produceRaw, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);
const kafka = testKafka(stack.kafkaBrokers);

describe('once and only once', () => {
  let tenant: Awaited<ReturnType<Pipeline['newTenant']>>;
  const accepted = new TopicTap(kafka, TOPICS.accepted);
  const deadLetters = new TopicTap(kafka, TOPICS.deadLetter);
  const results = new TopicTap(kafka, TOPICS.sendResults);

  before(async () => {
    tenant = await pipeline.newTenant();
    await Promise.all([accepted.start(), deadLetters.start(), results.start()]);
  });
  after(async () => {
    await Promise.all([accepted.stop(), deadLetters.stop(), results.stop()]);
  });

  it('answers a retried POST with the same Idempotency-Key with the same message id, and sends once', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const key = `order-${Date.now()}`;
    const body = `Acme Dental: your offer code is ready. Reply STOP to opt out. ${key}`;
    const first = await pipeline.send(tenant, { to, body }, key);
    const second = await pipeline.send(tenant, { to, body }, key);
    assert.equal(second, first);
    assert.equal(first, messageIdFor(tenant.tenantId, key), 'the id derived from tenant and key');
    await pipeline.waitForStatus(tenant, first, ['delivered']);
    assert.equal((await pipeline.simMessages(to)).length, 1);

    const reused = await call(`${stack.urls.intake}/v1/messages`, {
      apiKey: tenant.apiKey,
      headers: { 'idempotency-key': key },
      body: { to, from: tenant.senders[0], brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body: 'a different message' },
    });
    assert.equal(reused.status, 422);
    assert.equal(reused.body['type'], 'urn:sms-gateway:problem:idempotency-key-reused');
  });

  it('does not send a message twice when Kafka delivers its event again', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const id = await pipeline.send(tenant, { to, body: `Acme Dental: see you soon. Reply STOP to opt out. ${Date.now()}` });
    await pipeline.waitForStatus(tenant, id, ['delivered']);

    // Replay the accepted event, exactly as Kafka would after a consumer crash before commit.
    const envelope = await waitFor('the accepted event', async () => accepted.find((e) => e.id === id));
    const record = accepted.records.find((r) => r.value?.id === id)!;
    await produceRaw(kafka, TOPICS.accepted.name, [{ key: record.key, value: JSON.stringify(envelope) }]);
    await produceRaw(kafka, TOPICS.accepted.name, [{ key: record.key, value: JSON.stringify(envelope) }]);

    // The replays run through every stage again; wait until audit has seen the stages re-decide,
    // then give the dispatcher time to (not) act.
    await sleep(3_000);
    assert.equal((await pipeline.simMessages(to)).length, 1, 'the simulator received the message once');
    const view = await pipeline.history(tenant, id);
    assert.equal(view?.status, 'delivered');
    assert.equal(view?.statuses.filter((s) => s.status === 'sending').length, 1);
  });

  it('sends a poison event to the dead-letter topic with the error and the original bytes, and goes on', async () => {
    const garbage = `not json at all ${Date.now()}`;
    const invalid = JSON.stringify({ tenantId: tenant.tenantId, idempotencyKey: `bad-${Date.now()}`, to: '+12125550123', brand: tenant.brand });
    await produceRaw(kafka, TOPICS.sendRequests.name, [
      { key: 'poison', value: garbage },
      { key: 'poison', value: invalid },
    ]);
    const notJson = await waitFor('a dead letter for the garbage', async () => deadLetters.find((d) => d.valueBase64 !== null && Buffer.from(d.valueBase64, 'base64').toString() === garbage));
    assert.equal(notJson.sourceTopic, TOPICS.sendRequests.name);
    assert.equal(notJson.consumerGroup, `intake.${TOPICS.sendRequests.name}`);
    assert.equal(notJson.error.kind, 'invalid_json');

    const schema = await waitFor('a dead letter for the invalid request', async () => deadLetters.find((d) => d.valueBase64 !== null && Buffer.from(d.valueBase64, 'base64').toString() === invalid));
    assert.equal(schema.error.kind, 'schema_violation');
    assert.ok(
      schema.error.issues.some((i) => i.path === 'campaign'),
      JSON.stringify(schema.error.issues),
    );

    // The consumer went on: a good request published after the poison is accepted and sent.
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const body = `Acme Dental: after the poison. Reply STOP to opt out. ${Date.now()}`;
    const idempotencyKey = `good-${Date.now()}`;
    await produceRaw(kafka, TOPICS.sendRequests.name, [
      {
        key: 'good',
        value: JSON.stringify({ tenantId: tenant.tenantId, idempotencyKey, to, from: tenant.senders[0], brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body }),
      },
    ]);
    const [sent] = await waitFor('the good request to reach the simulator', async () => {
      const messages = await pipeline.simMessages(to);
      return messages.length > 0 ? messages : undefined;
    });
    assert.equal(sent?.body, body);
    // The producer knows its message's id without an answer: derived from tenant and idempotency key.
    const view = await pipeline.waitForStatus(tenant, messageIdFor(tenant.tenantId, idempotencyKey), ['delivered']);
    // And it gets the answer on sms.send-results.v1.
    const answer = await waitFor('the answer to the good request', async () => results.find((r) => r.tenantId === tenant.tenantId && r.idempotencyKey === idempotencyKey));
    assert.equal(answer.outcome, 'accepted');
    assert.equal(answer.messageId, messageIdFor(tenant.tenantId, idempotencyKey));
    assert.equal(view.twilioSid, sent?.sid);
    const health = await call(`${stack.urls.intake}/health`);
    assert.equal(health.status, 200);
  });

  it('dead-letters a send request that names an unknown tenant, with why, and answers it refused', async () => {
    const idempotencyKey = `x-${Date.now()}`;
    const value = JSON.stringify({ tenantId: 'no-such-tenant', idempotencyKey, to: '+12125550123', from: '+14155550101', brand: 'B', campaign: 'c', useCase: 'marketing', body: 'hi' });
    await produceRaw(kafka, TOPICS.sendRequests.name, [{ key: 'x', value }]);
    const dead = await waitFor('a dead letter for the unknown tenant', async () => deadLetters.find((d) => d.valueBase64 !== null && Buffer.from(d.valueBase64, 'base64').toString() === value));
    assert.equal(dead.error.kind, 'processing_error');
    assert.match(dead.error.message, /tenant "no-such-tenant" is unknown/);
    const answer = await waitFor('the refusal', async () => results.find((r) => r.tenantId === 'no-such-tenant' && r.idempotencyKey === idempotencyKey));
    assert.equal(answer.outcome, 'refused');
    assert.match(answer.reason ?? '', /^tenantId: tenant "no-such-tenant" is unknown/);
  });
});
