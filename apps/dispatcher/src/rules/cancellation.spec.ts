import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideCancellation, type LedgerView } from './cancellation.js';

const row = (over: Partial<LedgerView>): LedgerView => ({ tenantId: 't-1', state: 'queued', attempts: 0, handedAttempt: null, twilioSid: null, deliveryStatus: null, ...over });

describe('decideCancellation', () => {
  it('cancels a message not at the dispatcher yet, without a row to stop', () => {
    assert.deepEqual(decideCancellation(null, 't-1'), { outcome: 'cancelled', stopRow: false, reason: 'cancelled before it reached the dispatcher: it will not be sent' });
  });

  it('cancels queued, deferred and held messages', () => {
    for (const state of ['queued', 'held'] as const) assert.equal(decideCancellation(row({ state }), 't-1').outcome, 'cancelled');
  });

  it('cancels a claimed message whose call has not begun, even after earlier attempts were handed and refused by Twilio', () => {
    assert.deepEqual(decideCancellation(row({ state: 'sending', attempts: 1 }), 't-1'), { outcome: 'cancelled', stopRow: true, reason: 'cancelled before it was handed to Twilio' });
    assert.equal(decideCancellation(row({ state: 'sending', attempts: 3, handedAttempt: 2 }), 't-1').outcome, 'cancelled');
  });

  it('refuses once the call of the current attempt began, or Twilio took it', () => {
    assert.deepEqual(decideCancellation(row({ state: 'sending', attempts: 2, handedAttempt: 2 }), 't-1'), {
      outcome: 'refused',
      status: 'sending',
      reason: 'already handed to Twilio (the call had begun)',
      foreign: false,
    });
    const taken = decideCancellation(row({ state: 'accepted', attempts: 1, handedAttempt: 1, twilioSid: 'SM1', deliveryStatus: 'delivered' }), 't-1');
    assert.equal(taken.outcome, 'refused');
    assert.equal(taken.outcome === 'refused' && taken.status, 'delivered');
  });

  it('refuses messages that already ended, and answers an already cancelled one as cancelled', () => {
    assert.equal(decideCancellation(row({ state: 'failed' }), 't-1').outcome, 'refused');
    assert.equal(decideCancellation(row({ state: 'blocked' }), 't-1').outcome, 'refused');
    assert.deepEqual(decideCancellation(row({ state: 'cancelled' }), 't-1'), { outcome: 'cancelled', stopRow: false, reason: 'already cancelled' });
  });

  it("never touches another tenant's message", () => {
    const d = decideCancellation(row({ state: 'queued', tenantId: 't-2' }), 't-1');
    assert.equal(d.outcome, 'refused');
    assert.equal(d.outcome === 'refused' && d.foreign, true);
  });
});
