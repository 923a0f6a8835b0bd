import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageOn } from './age.js';

describe('ageOn', () => {
  it('counts whole years, turning a year older on the birthday', () => {
    assert.equal(ageOn('2005-11-27', new Date('2026-11-26T23:59:59Z')), 20);
    assert.equal(ageOn('2005-11-27', new Date('2026-11-27T00:00:00Z')), 21);
    assert.equal(ageOn('2008-02-29', new Date('2026-02-28T12:00:00Z')), 17);
    assert.equal(ageOn('2008-02-29', new Date('2026-03-01T12:00:00Z')), 18);
  });
});
