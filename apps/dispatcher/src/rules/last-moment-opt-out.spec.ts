import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scopesForMessage } from '@sms/contracts';
import { anEnvelope } from '@sms/testing';
import { latestOptOut, lastMomentOptOut, lastMomentPause } from './last-moment-opt-out.js';

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
    assert.deepEqual(
      latestOptOut(scopes, [
        { scope: 'tenant', changedAt: earlier },
        { scope: 'brand:Acme Dental', changedAt: at },
        { scope: 'brand:Other', changedAt: new Date('2026-12-01T00:00:00Z') },
      ]),
      at,
    );
    assert.equal(latestOptOut(scopes, []), null);
  });
});

describe('lastMomentPause (MP.OPTOUT.HONOR while an unclear reply awaits its review)', () => {
  const offer = anEnvelope({ message: { useCase: 'marketing', campaign: 'offers' } });
  const paused = [{ scope: 'brand:Acme Dental', changedAt: at }];

  it('holds marketing under a paused scope, saying which and since when', () => {
    const verdict = lastMomentPause(offer, scopes, paused);
    assert.equal(verdict?.decision, 'hold');
    assert.equal(verdict?.stage, 'dispatcher');
    assert.deepEqual(verdict?.clauses, ['MP.OPTOUT.HONOR']);
    assert.match(verdict?.reason ?? '', /paused \(scope brand:Acme Dental\): an unclear reply at 2026-11-27T15:00:00.000Z/);
    assert.deepEqual(verdict?.facts, { pausedScope: 'brand:Acme Dental', pausedAt: '2026-11-27T15:00:00.000Z' });
  });

  it("lets informational and conversational messages and the pipeline's answers go, and marketing under other scopes", () => {
    assert.equal(lastMomentPause(envelope, scopes, paused), null);
    assert.equal(lastMomentPause(anEnvelope({ message: { useCase: 'conversational' } }), scopes, paused), null);
    assert.equal(lastMomentPause(anEnvelope({ kind: 'help_reply', message: { useCase: 'marketing' } }), scopes, paused), null);
    assert.equal(lastMomentPause(offer, scopes, [{ scope: 'brand:Someone Else', changedAt: at }]), null);
  });

  it('lets a message its opt-out review released go, unless a newer pause came after the release', () => {
    const review = (when: string, clauses: ('MP.OPTOUT.HONOR' | 'MP.CONTENT.FRAUD')[]) =>
      anEnvelope({ message: { useCase: 'marketing' }, verdicts: [{ stage: 'review', decision: 'pass', clauses, reason: 'approved', facts: { heldBy: 'dispatcher' }, at: when }] });
    assert.equal(lastMomentPause(review('2026-11-27T16:00:00.000Z', ['MP.OPTOUT.HONOR']), scopes, paused), null, 'the review decided this pause');
    assert.equal(lastMomentPause(review('2026-11-27T14:00:00.000Z', ['MP.OPTOUT.HONOR']), scopes, paused)?.decision, 'hold', 'a pause after the release');
    assert.equal(lastMomentPause(review('2026-11-27T16:00:00.000Z', ['MP.CONTENT.FRAUD']), scopes, paused)?.decision, 'hold', 'a content approval decides no pause');
  });
});
