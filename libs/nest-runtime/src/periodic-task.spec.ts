import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everyHalfOf } from './periodic-task.js';

describe('everyHalfOf', () => {
  it('checks twice within the threshold', () => {
    assert.equal(everyHalfOf(20_000, 60_000), 10_000);
    assert.equal(everyHalfOf(7_001, 60_000), 3_500);
  });

  it('never more often than once a second, never less often than the ceiling', () => {
    assert.equal(everyHalfOf(500, 60_000), 1_000);
    assert.equal(everyHalfOf(3_600_000, 60_000), 60_000);
  });
});
