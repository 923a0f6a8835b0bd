import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadRuleData } from './rule-data.js';
import { classifySendError, deliveryOutcome, MAX_RETRY_AFTER_MS, pausedByStatus, retriedFromQueue, retryAfterMs } from './twilio-errors.js';

const { twilioErrors } = loadRuleData();
const classify = (error: Parameters<typeof classifySendError>[1]) => classifySendError(twilioErrors, error);

describe('classifySendError', () => {
  it('retries rate limits: Twilio did not take the message', () => {
    const limited = classify({ status: 429, code: 20429, message: 'Too Many Requests' });
    assert.equal(limited.kind, 'retry');
    assert.equal(limited.kind === 'retry' && limited.rateLimited, true);
    assert.equal(limited.kind === 'retry' && limited.retryAfterMs, null, 'no Retry-After given');
    assert.equal(classify({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).kind, 'retry');
  });

  it('keeps the Retry-After Twilio sent with a 429, and only with a 429', () => {
    const limited = classifySendError(twilioErrors, { status: 429, code: 20429, message: 'Too Many Requests' }, { retryAfterMs: 3_000 });
    assert.deepEqual(limited.kind === 'retry' && [limited.rateLimited, limited.retryAfterMs], [true, 3_000]);
    const notLimited = classifySendError(twilioErrors, { status: 400, code: 20005, message: 'Account not active' }, { retryAfterMs: 3_000 });
    assert.deepEqual(notLimited.kind === 'retry' && [notLimited.rateLimited, notLimited.retryAfterMs], [false, null]);
  });

  it('pauses the account for 63038, a sender for 30022, 30032, 30034 and 21611, and the credentials for 401 / 20003, instead of failing the message', () => {
    const expected: [number, number, string, string][] = [
      [400, 63038, 'account', 'recheck'],
      [400, 30022, 'sender', 'backoff'],
      [400, 21611, 'sender', 'backoff'],
      [400, 30032, 'sender', 'operator'],
      [400, 30034, 'sender', 'operator'],
      [401, 20003, 'credentials', 'probe'],
    ];
    for (const [status, code, scope, resume] of expected) {
      const failure = classify({ status, code, message: 'refused' });
      assert.equal(failure.kind, 'pause', String(code));
      if (failure.kind !== 'pause') continue;
      assert.deepEqual([failure.code, failure.pause.scope, failure.pause.resume], [code, scope, resume], String(code));
      assert.ok(failure.pause.clauses.length > 0);
      assert.match(failure.reason, new RegExp(`code ${code}`));
    }
    const bare = classify({ status: 401, message: 'Unauthorized' });
    assert.deepEqual(bare.kind === 'pause' && [bare.code, bare.pause.scope], [20003, 'credentials'], 'a 401 without a body is refused credentials too');
  });

  it('treats 5xx and a lost connection as in doubt: look up before sending again', () => {
    assert.equal(classify({ status: 503, code: 20503, message: 'Service Unavailable' }).kind, 'in-doubt');
    assert.equal(classify({ status: 500, code: 20500, message: 'Internal Server Error' }).kind, 'in-doubt');
    assert.equal(classify({ code: 'ECONNRESET', message: 'socket hang up' }).kind, 'in-doubt');
    assert.equal(classify({ message: 'timeout of 30000ms exceeded' }).kind, 'in-doubt');
  });

  it('makes 21211, 21408, 21610 and 21635 final with their meaning, and flags 21610 as an opt-out', () => {
    const unsubscribed = classify({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    assert.equal(unsubscribed.kind, 'final');
    if (unsubscribed.kind !== 'final') return;
    assert.equal(unsubscribed.optOut, true);
    assert.equal(unsubscribed.code, 21610);
    assert.deepEqual(unsubscribed.clauses, ['MP.OPTOUT.HONOR']);
    assert.match(unsubscribed.reason, /replied STOP.*\(HTTP 400 code 21610: Attempt to send to unsubscribed recipient\)/);
    for (const code of [21211, 21408, 21635]) {
      const failure = classify({ status: 400, code, message: 'refused' });
      assert.equal(failure.kind, 'final', String(code));
      assert.equal(failure.kind === 'final' && failure.optOut, false);
      assert.doesNotMatch(failure.reason, /^HTTP/, `${code} is explained`);
    }
    assert.deepEqual(classify({ status: 400, code: 21408, message: 'x' }).kind === 'final' && classify({ status: 400, code: 21408, message: 'x' }), {
      kind: 'final',
      reason: "the account may not send SMS to the recipient's country or region (geographic permissions) (HTTP 400 code 21408: x)",
      code: 21408,
      optOut: false,
      clauses: ['MP.COUNTRY'],
      twilioMessage: 'x',
    });
  });

  it('keeps an unknown refusal final with what Twilio said', () => {
    assert.deepEqual(classify({ status: 400, code: 21999, message: 'odd' }), { kind: 'final', reason: 'HTTP 400 code 21999: odd', code: 21999, optOut: false, clauses: [], twilioMessage: 'odd' });
  });
});

describe('deliveryOutcome', () => {
  it('explains 30003, 30005 and 30006, and raises a content alert for 30007', () => {
    for (const code of [30003, 30005, 30006]) {
      const outcome = deliveryOutcome(twilioErrors, code);
      assert.ok(outcome && outcome.reason.length > 0, String(code));
      assert.equal(outcome?.alert, null);
    }
    const filtered = deliveryOutcome(twilioErrors, 30007);
    assert.equal(filtered?.alert, 'content_filtered');
    assert.deepEqual(filtered?.clauses, ['MP.ENFORCEMENT', 'MP.ISV']);
    assert.equal(deliveryOutcome(twilioErrors, undefined), null);
    assert.equal(deliveryOutcome(twilioErrors, 30999), null);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  it('reads delay-seconds and an HTTP-date (RFC 9110 section 10.2.3), bounded, and nothing else', () => {
    assert.equal(retryAfterMs('3', now), 3_000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('Sun, 06 Dec 2026 12:00:05 GMT', now), 5_000);
    assert.equal(retryAfterMs('Sun, 06 Dec 2026 11:59:00 GMT', now), 0, 'a date passed means now');
    assert.equal(retryAfterMs('86400', now), MAX_RETRY_AFTER_MS);
    assert.equal(retryAfterMs(undefined, now), null);
    assert.equal(retryAfterMs('soon', now), null);
    assert.equal(retryAfterMs('-5', now), null);
  });
});

describe('pausedByStatus', () => {
  it('pauses for a status that says the account or the sender stopped the message, never for the credentials or a delivered one', () => {
    assert.equal(pausedByStatus(twilioErrors, 'failed', 63038)?.scope, 'account');
    for (const code of [30022, 30032, 30034]) assert.equal(pausedByStatus(twilioErrors, 'undelivered', code)?.scope, 'sender', String(code));
    assert.equal(pausedByStatus(twilioErrors, 'delivered', 30034), null);
    assert.equal(pausedByStatus(twilioErrors, 'failed', 20003), null, 'a callback never speaks for the credentials');
    assert.equal(pausedByStatus(twilioErrors, 'undelivered', 30007), null);
    assert.equal(pausedByStatus(twilioErrors, 'undelivered', undefined), null);
  });
});

describe('retriedFromQueue', () => {
  it('sends again a message Twilio failed in its queue (30001), and nothing that was sent or refused for its own sake', () => {
    assert.equal(retriedFromQueue(twilioErrors, 'failed', 30001), true);
    assert.equal(retriedFromQueue(twilioErrors, 'undelivered', 30001), false, 'undelivered means it left the queue');
    assert.equal(retriedFromQueue(twilioErrors, 'failed', 30007), false);
    assert.equal(retriedFromQueue(twilioErrors, 'failed', undefined), false);
    assert.deepEqual(deliveryOutcome(twilioErrors, 30001)?.clauses, ['AUP.SERVICE_LIMITS']);
  });
});

describe("docs/dispatcher.md's table of Twilio errors", () => {
  it('has a row for every code the rule data gives a meaning to, linking its Twilio page', () => {
    const doc = readFileSync(new URL('../../../../docs/dispatcher.md', import.meta.url), 'utf8');
    const start = doc.indexOf('## Outcomes');
    const table = doc.slice(start, doc.indexOf('\n## ', start + 1));
    const known = new Set([
      ...Object.keys(twilioErrors.codes),
      ...Object.keys(twilioErrors.pauses.codes),
      ...twilioErrors.retryCodes.codes.map(String),
      ...twilioErrors.callbackRetryCodes.codes.map(String),
    ]);
    assert.ok(known.size >= 15);
    for (const code of known) {
      assert.match(table, new RegExp(`^\\| ${code}[ ,]`, 'm'), `a row for ${code}`);
      assert.ok(table.includes(`https://www.twilio.com/docs/api/errors/${code})`), `the Twilio page of ${code}`);
    }
  });
});
