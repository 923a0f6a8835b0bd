import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scopesForMessage } from '@sms/contracts';
import { anEnvelope } from '@sms/testing';
import { latestOptOut, lastMomentOptOut } from './last-moment-opt-out.js';

const envelope = anEnvelope();
const scopes = scopesForMessage(envelope.message);
const at = new Date('2026-11-27T15:00:00Z');

describe('lastMomentOptOut (MP.OPTOUT.HONOR)', () => {
  it('lets a message through when no scope it may go out under is opted out', () => {
    assert.deepEqual(lastMomentOptOut(envelope, scopes, [], false), { allow: true, note: null });
    assert.deepEqual(lastMomentOptOut(envelope, scopes, [{ scope: 'brand:Someone Else', changedAt: at }], false), { allow: true, note: null });
  });

  it('blocks a message when the brand, the tenant or the sender number is opted out', () => {
    for (const scope of ['brand:Acme Dental', 'tenant', 'sender:+14155550101']) {
      const decision = lastMomentOptOut(envelope, scopes, [{ scope, changedAt: at }], false);
      assert.equal(decision.allow, false, scope);
      if (decision.allow) continue;
      assert.deepEqual(decision.verdict.clauses, ['MP.OPTOUT.HONOR']);
      assert.equal(decision.verdict.stage, 'dispatcher');
      assert.match(decision.verdict.reason, new RegExp(`scope ${scope.replace('+', '\\+')}\\) at 2026-11-27T15:00:00.000Z`));
    }
  });

  it('lets the one opt-out confirmation through, and not a second', () => {
    const confirmation = anEnvelope({ kind: 'opt_out_confirmation' });
    const optedOut = [{ scope: 'brand:Acme Dental', changedAt: at }];
    const first = lastMomentOptOut(confirmation, scopes, optedOut, false);
    assert.equal(first.allow, true);
    assert.match(first.allow ? (first.note ?? '') : '', /the one confirmation/);
    const second = lastMomentOptOut(confirmation, scopes, optedOut, true);
    assert.equal(second.allow, false);
    assert.match(second.allow ? '' : second.verdict.reason, /already sent: one confirmation, then nothing/);
  });

  it('finds the latest opt-out that applies', () => {
    const earlier = new Date('2026-11-01T00:00:00Z');
    assert.deepEqual(latestOptOut(scopes, [{ scope: 'tenant', changedAt: earlier }, { scope: 'brand:Acme Dental', changedAt: at }, { scope: 'brand:Other', changedAt: new Date('2026-12-01T00:00:00Z') }]), at);
    assert.equal(latestOptOut(scopes, []), null);
  });
});
