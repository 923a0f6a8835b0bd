import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalystEventSchema, type AnalystEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { anEnvelope } from '@sms/testing';
import { analystFromConsentChange, analystFromEnvelope, type AnalystPseudonyms } from './analyst.js';
import { historyFromEnvelope } from './history.js';

const platform = new Pseudonymizer('platform-key-0123456789');
const analysts = new Pseudonymizer('analyst-key-0123456789');
const p: AnalystPseudonyms = {
  recipientToken: (t, n) => platform.token(t, n),
  recipient: (t, token) => analysts.token(t, `recipient:${token}`),
  sender: (t, s) => analysts.token(t, `sender:${s}`),
};

describe('the analysts stream', () => {
  const envelope = anEnvelope({
    verdicts: [
      { stage: 'content-screening', decision: 'block', clauses: ['MP.CONTENT.CANNABIS'], reason: 'cannabis: "CBD gummies"', facts: { categories: ['cannabis'] }, at: '2026-11-27T10:00:00.000Z' },
    ],
  });
  const [accepted, event] = analystFromEnvelope(envelope, historyFromEnvelope(envelope), p) as [AnalystEvent, AnalystEvent];

  it('carries the decision, clauses and categories, and validates against the published schema', () => {
    assert.equal(AnalystEventSchema.safeParse(event).success, true);
    assert.deepEqual([event.stage, event.decision, event.clauses, event.categories], ['content-screening', 'block', ['MP.CONTENT.CANNABIS'], ['cannabis']]);
    assert.deepEqual([accepted.kind, accepted.status, accepted.eventId], ['status', 'accepted', `${envelope.id}|status:accepted`]);
    assert.deepEqual([accepted.recipient, accepted.sender], [event.recipient, event.sender], 'one pseudonym per person and sender');
  });

  it('never carries the body, the reason text or a number in clear', () => {
    const text = JSON.stringify(event);
    assert.equal(text.includes(envelope.message.to), false);
    assert.equal(text.includes(envelope.message.to.slice(2)), false);
    assert.equal(text.includes(envelope.message.from!), false);
    assert.equal(text.includes('CBD gummies'), false);
    assert.equal(text.includes(envelope.message.body), false);
  });

  it('pseudonymises a person the same in message and consent events, so they join', () => {
    const consent = analystFromConsentChange(
      {
        changeId: 'c1',
        tenantId: envelope.tenantId,
        recipientToken: platform.token(envelope.tenantId, envelope.message.to),
        kind: 'opted_out',
        at: '2026-11-27T10:00:00.000Z',
        source: 'inbound_keyword',
        proof: { inboundBody: 'STOP' },
      },
      p,
    );
    assert.equal(consent.recipient, event.recipient);
    assert.equal(JSON.stringify(consent).includes('STOP'), false, 'no proof content');
  });
});
