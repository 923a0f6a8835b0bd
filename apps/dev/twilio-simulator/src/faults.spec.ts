import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultBook, faultSpecSchema } from './faults.js';

const A = '+14155550101';
const B = '+14155550102';

describe('FaultBook', () => {
  it('applies a recipient fault only to that recipient', () => {
    const faults = new FaultBook();
    faults.add({ to: A, status: 400, code: 21610 });
    assert.equal(faults.take(B), undefined);
    assert.equal(faults.take(A)?.code, 21610);
    assert.equal(faults.take(A)?.code, 21610, 'without times it stays until cleared');
    faults.clear();
    assert.equal(faults.take(A), undefined);
  });

  it('counts `times` down and then forgets the fault', () => {
    const faults = new FaultBook();
    const added = faults.add({ to: A, status: 429, code: 20429, times: 2 });
    assert.equal(faults.list()[0]?.lastHitAt, null);
    assert.equal(faults.take(A)?.remaining, 1);
    assert.match(faults.list()[0]?.lastHitAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'when it last applied');
    assert.deepEqual(
      faults.list().map((f) => [f.id, f.remaining, f.hits]),
      [[added.id, 1, 1]],
    );
    assert.equal(faults.take(A)?.remaining, 0);
    assert.equal(faults.take(A), undefined);
    assert.equal(faults.size, 0);
  });

  it('applies a global fault to every recipient, after the recipient’s own faults', () => {
    const faults = new FaultBook();
    faults.add({ status: 503, code: 20503, times: 3 });
    faults.add({ to: A, status: 400, code: 21211, times: 1 });
    assert.equal(faults.take(A)?.code, 21211);
    assert.equal(faults.take(A)?.code, 20503);
    assert.equal(faults.take(B)?.code, 20503);
    assert.equal(faults.take(B)?.code, 20503);
    assert.equal(faults.take(B), undefined);
  });

  it("applies a sender's fault to every send from that sender, after the recipient's own faults and before global ones", () => {
    const faults = new FaultBook();
    const SENDER = '+14155550199';
    faults.add({ status: 201, code: 63038, times: 1 });
    const unregistered = faults.add({ from: SENDER, status: 201, code: 30034 });
    faults.add({ to: A, status: 400, code: 21211, times: 1 });
    assert.equal(faults.take(A, SENDER)?.code, 21211);
    assert.equal(faults.take(A, SENDER)?.code, 30034);
    assert.equal(faults.take(B, SENDER)?.code, 30034, 'every recipient of that sender');
    assert.equal(faults.take(B, '+14155550198')?.code, 63038, 'another sender gets the global fault');
    assert.equal(faults.take(B, null), undefined, 'no sender known: not that sender');
    assert.deepEqual(
      faults.list().map((f) => [f.from, f.code]),
      [[SENDER, 30034]],
    );
    assert.equal(faults.remove(unregistered.id), true);
    assert.equal(faults.size, 0);
  });

  it('uses the oldest of several faults first, lists them oldest first and removes one by id', () => {
    const faults = new FaultBook();
    const first = faults.add({ to: A, status: 201, code: 30003, times: 1 });
    const global = faults.add({ status: 500, code: 20500 });
    const second = faults.add({ to: A, status: 201, code: 30007, times: 1 });
    assert.deepEqual(
      faults.list().map((f) => f.id),
      [first.id, global.id, second.id],
    );
    assert.equal(faults.remove(global.id), true);
    assert.equal(faults.remove(global.id), false);
    assert.equal(faults.take(A)?.code, 30003);
    assert.equal(faults.take(A)?.code, 30007);
    assert.equal(faults.take(A), undefined);
  });
});

describe('faultSpecSchema', () => {
  const problems = (value: unknown): string[] => {
    const result = faultSpecSchema.safeParse(value);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts refusals, delivery failures and latency alone', () => {
    assert.deepEqual(problems({ to: A, status: 429, code: 20429, times: 3, latencyMs: 100 }), []);
    assert.deepEqual(problems({ status: 201, code: 30005 }), []);
    assert.deepEqual(problems({ status: 201, latencyMs: 250 }), []);
    assert.deepEqual(problems({ status: 500, code: 20500, recordMessage: true }), []);
    assert.deepEqual(problems({ status: 500, code: 20500, recordMessage: true, queuedMs: 5_000 }), []);
    assert.deepEqual(problems({ status: 201, code: 30001, queuedMs: 1_000 }), []);
    // The account and registration limits, reported after the create call as Twilio does.
    for (const code of [63038, 30022, 30032, 30034]) assert.deepEqual(problems({ status: 201, code }), [], String(code));
    assert.deepEqual(problems({ from: '+14155550199', status: 201, code: 30034 }), []);
    assert.deepEqual(problems({ status: 429, code: 20429, retryAfter: 3 }), []);
  });

  it('refuses what cannot be meant', () => {
    assert.match(problems({ status: 429 }).join(), /code: is required/);
    assert.match(problems({ status: 302, code: 1 }).join(), /status: must be 2xx/);
    assert.match(problems({ status: 201, code: 21211 }).join(), /code: with a 2xx status must be a delivery error/);
    assert.match(problems({ to: '4155550101', status: 400, code: 21211 }).join(), /to: must be an E\.164 number/);
    assert.match(problems({ status: 400, code: 21211, times: 0 }).join(), /times:/);
    assert.match(problems({ status: '429', code: 20429 }).join(), /status:/);
    assert.match(problems({ status: 429, code: 20429, time: 1 }).join(), /time/);
    assert.match(problems({ status: 201, recordMessage: true }).join(), /recordMessage: only applies to an error status/);
    assert.match(problems({ status: 503, code: 20503, queuedMs: 1_000 }).join(), /queuedMs: only applies to a message that is taken/);
    assert.match(problems({ to: A, from: B, status: 201, code: 30034 }).join(), /from: give a recipient \(to\) or a sender \(from\), not both/);
    assert.match(problems({ from: 'not a sender!', status: 201, code: 30034 }).join(), /from: must be a sender/);
    assert.match(problems({ status: 400, code: 21211, retryAfter: 3 }).join(), /retryAfter: only applies to a 429 or 503 refusal/);
    assert.match(problems({ status: 429, code: 20429, retryAfter: -1 }).join(), /retryAfter:/);
  });
});
