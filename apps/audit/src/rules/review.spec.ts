import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope } from '@sms/testing';
import { releaseBlocker, reviewOutcome } from './review.js';

const now = new Date('2026-11-27T15:00:00Z');
const held = anEnvelope({
  verdicts: [
    { stage: 'consent', decision: 'pass', clauses: ['MP.CONSENT.PRIOR'], reason: 'ok', facts: {}, at: '2026-11-27T14:00:00.000Z' },
    { stage: 'content-screening', decision: 'hold', clauses: ['MP.CONTENT.FRAUD'], reason: 'public URL shortener', facts: {}, at: '2026-11-27T14:00:01.000Z' },
  ],
});

describe('reviewOutcome', () => {
  it('sends an approved message on from the stage that held it, citing the same clauses', () => {
    const { topic, envelope } = reviewOutcome(held, 'approve', 'dana@clinic.example', 'known link', now);
    assert.equal(topic, 'screened');
    const verdict = envelope.verdicts.at(-1)!;
    assert.deepEqual([verdict.stage, verdict.decision, verdict.clauses], ['review', 'pass', ['MP.CONTENT.FRAUD']]);
    assert.match(verdict.reason, /approved by dana@clinic.example: known link/);
  });

  it('blocks a rejected message', () => {
    const { topic, envelope } = reviewOutcome(held, 'reject', 'dana@clinic.example', undefined, now);
    assert.equal(topic, 'stopped');
    assert.equal(envelope.verdicts.at(-1)?.decision, 'block');
  });

  it('sends an approved consent hold back through consent, which decides on the state of that moment', () => {
    const reconfirm = anEnvelope({ verdicts: [{ stage: 'consent', decision: 'hold', clauses: ['MP.CONSENT.RECONFIRM'], reason: 'old consent', facts: {}, at: '2026-11-27T14:00:00.000Z' }] });
    assert.equal(reviewOutcome(reconfirm, 'approve', 'Casey', undefined, now).topic, 'accepted');
    assert.equal(releaseBlocker(reconfirm), null);
  });

  it('lets no reviewer release a message held behind an unclear reply: its opt-out review decides', () => {
    const paused = anEnvelope({ verdicts: [{ stage: 'consent', decision: 'hold', clauses: ['MP.OPTOUT.HONOR'], reason: 'marketing paused', facts: { pausedScope: 'brand:Acme' }, at: '2026-11-27T14:00:00.000Z' }] });
    assert.match(releaseBlocker(paused) ?? '', /opt-out review/);
    assert.equal(releaseBlocker(held), null);
    // Released from a content hold meanwhile, then held by the dispatcher's last-moment check: the same.
    const heldAgain = anEnvelope({ verdicts: [...held.verdicts, { stage: 'dispatcher', decision: 'hold', clauses: ['MP.OPTOUT.HONOR'], reason: 'marketing paused', facts: {}, at: '2026-11-27T14:30:00.000Z' }] });
    assert.match(releaseBlocker(heldAgain) ?? '', /opt-out review/);
  });

  it('sends a released dispatcher hold back to the dispatcher, which checks it again', () => {
    const heldHere = anEnvelope({ verdicts: [{ stage: 'dispatcher', decision: 'hold', clauses: ['MP.OPTOUT.HONOR'], reason: 'marketing paused', facts: {}, at: '2026-11-27T14:30:00.000Z' }] });
    const { topic, envelope } = reviewOutcome(heldHere, 'approve', 'opt-out review (Casey)', undefined, now);
    assert.equal(topic, 'cleared');
    assert.equal(envelope.verdicts.at(-1)?.facts['heldBy'], 'dispatcher');
  });

  it('refuses to review a message that was not held', () => {
    assert.throws(() => reviewOutcome(anEnvelope(), 'approve', 'x', undefined, now), /was not held/);
  });
});
