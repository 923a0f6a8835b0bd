import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from './backoff.js';

describe('sleep', () => {
  it('takes a delay that came out below zero as no delay, without a TimeoutNegativeWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await sleep(-3);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});
