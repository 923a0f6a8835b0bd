import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecisionSchema, TOPICS, type Decision, type MessageEnvelope, type Verdict } from '@sms/contracts';
import { decodeValue } from './codec.js';
import { routeStep, routeSteps, type NextStageTopic, type StageRoute } from './stage-route.js';

// This library sits below @sms/testing: the envelope is written out here.
const envelope: MessageEnvelope = {
  schema: 'sms.envelope',
  version: 1,
  id: '0b7f3c1e-5a2d-4e7f-9c0b-3d1e2f4a5b6c',
  tenantId: 'acme',
  kind: 'standard',
  channel: 'http',
  acceptedAt: '2025-01-01T00:00:00.000Z',
  message: { to: '+14155550100', from: '+14155550200', brand: 'Acme Dental', campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: 20% off' },
  recipient: { country: 'US' },
  verdicts: [],
};

const verdict = (decision: Decision): Verdict => ({
  stage: 'content-screening',
  decision,
  clauses: ['MP.OPTOUT.LANGUAGE'],
  reason: decision,
  facts: {},
  ...(decision === 'transform' ? { transform: { kind: 'append' as const, text: ' Reply STOP to opt out.', description: 'opt-out wording' } } : {}),
  at: '2025-01-01T00:00:01.000Z',
});

const NEXT: NextStageTopic[] = ['consented', 'screened', 'cleared'];

describe('the rule stages’ routing', () => {
  it('lets pass and transform go on to the next topic and sends hold and block to sms.stopped.v1, in every stage', () => {
    for (const next of NEXT) {
      const routed = DecisionSchema.options.map((decision) => [decision, routeStep({ next }, { envelope, verdict: verdict(decision), recipientToken: 'token' })] as const);
      assert.deepEqual(
        routed.map(([decision, r]) => [decision, r.goesOn, r.record.topic]),
        [
          ['pass', true, TOPICS[next].name],
          ['transform', true, TOPICS[next].name],
          ['hold', false, TOPICS.stopped.name],
          ['block', false, TOPICS.stopped.name],
        ],
        next,
      );
    }
  });

  it('appends the verdict, applies its transform, and publishes that envelope', () => {
    const routed = routeStep({ next: 'screened' }, { envelope, verdict: verdict('transform'), recipientToken: 'token' });
    assert.equal(routed.envelope.message.body, 'Acme Dental: 20% off Reply STOP to opt out.');
    assert.deepEqual(routed.envelope.verdicts, [verdict('transform')]);
    assert.equal(envelope.verdicts.length, 0, 'the envelope received is left as it was');
    const published = decodeValue(TOPICS.screened, routed.record.value);
    assert.ok(published.ok);
    assert.deepEqual(published.value, routed.envelope);
    assert.deepEqual(routed.record.verdict, { stage: 'content-screening', decision: 'transform', clauses: ['MP.OPTOUT.LANGUAGE'] });
  });

  it('keys by recipient token, but the next topic by its own key when it has one (sms.cleared.v1: the sender)', () => {
    const byToken: StageRoute = { next: 'consented' };
    const bySender: StageRoute = { next: 'cleared', nextKey: (e) => `${e.tenantId}|${e.message.from}` };
    const keyOf = (route: StageRoute, decision: Decision) => routeStep(route, { envelope, verdict: verdict(decision), recipientToken: 'token' }).record.key;
    assert.deepEqual([keyOf(byToken, 'pass'), keyOf(byToken, 'block')], ['token', 'token']);
    assert.deepEqual([keyOf(bySender, 'pass'), keyOf(bySender, 'hold')], ['acme|+14155550200', 'token']);
  });

  it('makes the recipient token only for a record keyed by it', () => {
    const made: string[] = [];
    const token = (e: MessageEnvelope) => {
      made.push(e.id);
      return `token of ${e.message.to}`;
    };
    const route: StageRoute = { next: 'cleared', nextKey: () => 'sender' };
    const records = routeSteps(route, [
      { envelope, verdict: verdict('pass'), recipientToken: token },
      { envelope: { ...envelope, id: 'held' }, verdict: verdict('hold'), recipientToken: token },
    ]);
    assert.deepEqual(
      records.map((r) => [r.topic, r.key]),
      [
        [TOPICS.cleared.name, 'sender'],
        [TOPICS.stopped.name, 'token of +14155550100'],
      ],
    );
    assert.deepEqual(made, ['held']);
  });
});
