import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PauseRule } from '@sms/contracts';
import { ACCOUNT_SCOPE, nextPause, pauseDescription, senderOfScope, tenantOfScope } from './send-pauses.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const timings = { recheckMs: 3_600_000, backoffMs: 60_000, backoffMaxMs: 900_000 };
const rule = (resume: PauseRule['resume']): PauseRule => ({ scope: 'sender', resume, severity: 'warning', reason: 'r', clauses: ['AUP.SERVICE_LIMITS'], source: 's' });

describe('nextPause', () => {
  it('starts a pause: a fixed wait to recheck, the first backoff step, or until an operator clears it', () => {
    assert.deepEqual(nextPause(rule('recheck'), null, NOW, timings), { untilMs: NOW + 3_600_000, sinceMs: NOW, hits: 1, started: true });
    assert.deepEqual(nextPause(rule('backoff'), null, NOW, timings), { untilMs: NOW + 60_000, sinceMs: NOW, hits: 1, started: true });
    assert.deepEqual(nextPause(rule('operator'), null, NOW, timings), { untilMs: null, sinceMs: NOW, hits: 1, started: true });
  });

  it('keeps a pause in force as it is: a message that meets the error again waits for the same end', () => {
    const running = { untilMs: NOW + 30_000, sinceMs: NOW - 30_000, hits: 2 };
    assert.deepEqual(nextPause(rule('backoff'), running, NOW, timings), { ...running, started: false });
    const held = { untilMs: null, sinceMs: NOW - 5_000, hits: 1 };
    assert.deepEqual(nextPause(rule('operator'), held, NOW, timings), { ...held, started: false });
    assert.deepEqual(nextPause(rule('backoff'), held, NOW, timings), { ...held, started: false }, 'a timed error never shortens an operator pause');
  });

  it("lets an operator's pause replace a timed one in force", () => {
    assert.deepEqual(nextPause(rule('operator'), { untilMs: NOW + 30_000, sinceMs: NOW - 30_000, hits: 3 }, NOW, timings), { untilMs: null, sinceMs: NOW, hits: 4, started: true });
  });

  it('doubles the wait of a pause that recurs soon after it ended, up to the maximum, and starts afresh after a quiet spell', () => {
    const ended = (hits: number, agoMs: number) => ({ untilMs: NOW - agoMs, sinceMs: NOW - agoMs - 60_000, hits });
    assert.equal(nextPause(rule('backoff'), ended(1, 1_000), NOW, timings).untilMs, NOW + 120_000);
    assert.equal(nextPause(rule('backoff'), ended(3, 1_000), NOW, timings).untilMs, NOW + 480_000);
    assert.equal(nextPause(rule('backoff'), ended(9, 1_000), NOW, timings).untilMs, NOW + 900_000, 'at most the maximum');
    assert.deepEqual(nextPause(rule('backoff'), ended(5, 900_001), NOW, timings), { untilMs: NOW + 60_000, sinceMs: NOW, hits: 1, started: true });
    assert.equal(nextPause(rule('recheck'), ended(4, 1_000), NOW, timings).untilMs, NOW + 3_600_000, 'a recheck waits the same each time');
  });
});

describe('pause scopes and descriptions', () => {
  it('names the sender or the account, the Twilio error and the end', () => {
    assert.equal(senderOfScope('acme-dental|+14155550101'), '+14155550101');
    assert.equal(tenantOfScope('acme-dental|MG0123'), 'acme-dental');
    assert.equal(tenantOfScope(ACCOUNT_SCOPE), null);
    assert.match(
      pauseDescription({ reason: 'unregistered' }, 30034, 'acme-dental|+14155550101', null),
      /^sending from \+14155550101 is paused until an operator clears the pause: unregistered \(Twilio error 30034\)/,
    );
    assert.match(
      pauseDescription({ reason: 'daily limit' }, 63038, ACCOUNT_SCOPE, NOW),
      /^sending from the Twilio account is paused until 2026-12-06T12:00:00.000Z: daily limit \(Twilio error 63038\)/,
    );
  });
});
