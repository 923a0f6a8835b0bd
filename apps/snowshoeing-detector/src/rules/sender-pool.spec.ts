import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope, aTenant } from '@sms/testing';
import { checkSenderPool, senderKey } from './sender-pool.js';

const now = new Date('2026-11-27T15:00:00Z');

describe('checkSenderPool (MP.EVASION.SNOWSHOE)', () => {
  it('passes a message from a registered number of the brand', () => {
    const verdict = checkSenderPool(anEnvelope(), aTenant(), now);
    assert.equal(verdict.decision, 'pass');
    assert.deepEqual(verdict.clauses, ['MP.EVASION.SNOWSHOE']);
  });

  it('blocks a number outside the pool and says which', () => {
    const verdict = checkSenderPool(anEnvelope({ message: { from: '+14155550199' } }), aTenant(), now);
    assert.equal(verdict.decision, 'block');
    assert.ok(verdict.clauses.includes('MP.EVASION.SNOWSHOE'));
    assert.match(verdict.reason, /\+14155550199 is not in the tenant's registered sender pool/);
  });

  it("blocks a number registered for another of the tenant's brands", () => {
    const tenant = aTenant({ senders: [{ number: '+14155550101', type: 'long_code', brand: 'Acme Ortho' }] });
    assert.equal(checkSenderPool(anEnvelope(), tenant, now).decision, 'block');
  });

  it('passes a registered messaging service and blocks an unknown one', () => {
    const ok = anEnvelope({ message: { from: undefined, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } });
    assert.equal(checkSenderPool(ok, aTenant(), now).decision, 'pass');
    const unknown = anEnvelope({ message: { from: undefined, messagingServiceSid: 'MGffffffffffffffffffffffffffffffff' } });
    assert.equal(checkSenderPool(unknown, aTenant(), now).decision, 'block');
  });

  it('keys cleared messages by tenant and sender', () => {
    assert.equal(senderKey(anEnvelope()), 'acme-dental|+14155550101');
  });
});
