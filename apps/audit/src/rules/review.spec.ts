import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope } from '@sms/testing';
import { historyFromEnvelope, historyFromStatus } from './history.js';
import { joinsReviewQueue, releaseBlocker, reviewOutcome } from './review.js';

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
    const paused = anEnvelope({
      verdicts: [{ stage: 'consent', decision: 'hold', clauses: ['MP.OPTOUT.HONOR'], reason: 'marketing paused', facts: { pausedScope: 'brand:Acme' }, at: '2026-11-27T14:00:00.000Z' }],
    });
    assert.match(releaseBlocker(paused) ?? '', /opt-out review/);
    assert.equal(releaseBlocker(held), null);
    // Released from a content hold meanwhile, then held by the dispatcher's last-moment check: the same.
    const heldAgain = anEnvelope({
      verdicts: [...held.verdicts, { stage: 'dispatcher', decision: 'hold', clauses: ['MP.OPTOUT.HONOR'], reason: 'marketing paused', facts: {}, at: '2026-11-27T14:30:00.000Z' }],
    });
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

describe('joinsReviewQueue', () => {
  const passed = anEnvelope({
    verdicts: [{ stage: 'snowshoeing-detector', decision: 'pass', clauses: ['MP.EVASION.SNOWSHOE'], reason: 'within every threshold', facts: {}, at: '2026-11-27T14:00:00.000Z' }],
  });
  const heldAgain = { ...passed, verdicts: [{ ...passed.verdicts[0]!, decision: 'hold' as const, reason: 'cluster already stopped', at: '2026-11-27T16:00:00.000Z' }] };
  const accepted = historyFromEnvelope(passed)[0]!;
  const sending = historyFromStatus({
    messageId: passed.id,
    tenantId: passed.tenantId,
    status: 'sending',
    source: 'dispatcher',
    twilioSid: 'SM0123456789abcdef0123456789abcdef',
    at: '2026-11-27T14:00:02.000Z',
  });

  it('queues a hold the history keeps', () => {
    assert.equal(joinsReviewQueue(held, [historyFromEnvelope(held)[0]!, historyFromEnvelope(held).at(-1)!]), true);
    assert.equal(joinsReviewQueue(heldAgain, [accepted, historyFromEnvelope(heldAgain).at(-1)!]), true);
  });

  it('leaves out a hold that contradicts the decision the history kept for that stage and step', () => {
    assert.equal(joinsReviewQueue(heldAgain, [accepted, historyFromEnvelope(passed).at(-1)!]), false);
  });

  it('leaves out a hold from before the dispatcher once the message was handed to Twilio, whichever was recorded first', () => {
    assert.equal(joinsReviewQueue(heldAgain, [accepted, historyFromEnvelope(heldAgain).at(-1)!, sending]), false);
    const delivered = historyFromStatus({ messageId: passed.id, tenantId: passed.tenantId, status: 'delivered', source: 'twilio-callback', at: '2026-11-27T14:00:09.000Z' });
    assert.equal(joinsReviewQueue(heldAgain, [accepted, historyFromEnvelope(heldAgain).at(-1)!, delivered]), false);
  });

  it("queues the dispatcher's own holds after a hand-over (a message Twilio failed in its queue, back in the ledger's)", () => {
    const byDispatcher = anEnvelope({
      verdicts: [...passed.verdicts, { stage: 'dispatcher', decision: 'hold', clauses: ['MP.COUNTRY'], reason: 'no allowed time', facts: {}, at: '2026-11-27T15:00:00.000Z' }],
    });
    assert.equal(joinsReviewQueue(byDispatcher, [accepted, sending, historyFromEnvelope(byDispatcher).at(-1)!]), true);
  });

  it('queues nothing but holds', () => {
    assert.equal(joinsReviewQueue(passed, [accepted]), false);
  });
});
