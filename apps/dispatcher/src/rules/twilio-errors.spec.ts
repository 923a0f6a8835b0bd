import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySendError } from './twilio-errors.js';

describe('classifySendError', () => {
  it('retries rate limits and queue overflows: Twilio did not take the message', () => {
    assert.equal(classifySendError({ status: 429, code: 20429, message: 'Too Many Requests' }).kind, 'retry');
    assert.equal(classifySendError({ status: 400, code: 21611, message: 'queue full' }).kind, 'retry');
    assert.equal(classifySendError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).kind, 'retry');
  });

  it('treats 5xx and a lost connection as in doubt: look up before sending again', () => {
    assert.equal(classifySendError({ status: 503, code: 20503, message: 'Service Unavailable' }).kind, 'in-doubt');
    assert.equal(classifySendError({ code: 'ECONNRESET', message: 'socket hang up' }).kind, 'in-doubt');
    assert.equal(classifySendError({ message: 'timeout of 30000ms exceeded' }).kind, 'in-doubt');
  });

  it('makes message-specific refusals final, and flags 21610 as an opt-out', () => {
    const unsubscribed = classifySendError({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    assert.deepEqual(unsubscribed, { kind: 'final', reason: 'HTTP 400 code 21610: Attempt to send to unsubscribed recipient', code: 21610, optOut: true });
    const invalid = classifySendError({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    assert.equal(invalid.kind, 'final');
    assert.equal(invalid.kind === 'final' && invalid.optOut, false);
  });
});
