import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacingBook } from './pacing.js';

const longCode = [{ key: 'sender:a', segmentsPerSecond: 1 }];

describe('PacingBook', () => {
  it('starts messages of a 1 segment/s sender a second apart per segment, never in a burst', () => {
    const book = new PacingBook([]);
    const starts: number[] = [];
    for (const segments of [1, 1, 3, 1]) {
      const start = book.earliest(longCode, 10_000);
      book.book(longCode, segments, start);
      starts.push(start);
    }
    assert.deepEqual(starts, [10_000, 11_000, 12_000, 15_000]);
  });

  it('never starts before now, and a bucket idle for long gives no credit', () => {
    const book = new PacingBook([['sender:a', 1_000]]);
    assert.equal(book.earliest(longCode, 50_000), 50_000);
    book.book(longCode, 1, 50_000);
    assert.equal(book.earliest(longCode, 50_000), 51_000);
  });

  it('waits for the slowest of several buckets and holds them all', () => {
    const book = new PacingBook([]);
    const both = [
      { key: 'brand|att', segmentsPerSecond: 4 },
      { key: 'brand|tmobile', segmentsPerSecond: 4 },
    ];
    book.book(both, 1, 0);
    const tmobileOnly = [{ key: 'brand|tmobile', segmentsPerSecond: 4 }];
    assert.equal(book.earliest(tmobileOnly, 0), 250, 'a T-Mobile message waits for the unknown-carrier message before it');
    book.book(tmobileOnly, 2, 250);
    assert.equal(book.earliest(both, 0), 750);
    assert.deepEqual(book.entries().sort(), [
      ['brand|att', 250],
      ['brand|tmobile', 750],
    ]);
  });
});
