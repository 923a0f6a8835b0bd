import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from './batcher.js';

/** Adds each item from its own callback of the event loop, as I/O callbacks arrive. */
const addApart = <O>(batcher: Batcher<number[], O>, items: number[][]): Promise<O[]> =>
  Promise.all(items.map((item) => new Promise<O>((resolve, reject) => setImmediate(() => batcher.add(item).then(resolve, reject)))));

describe('Batcher', () => {
  it('gathers items added within the current microtasks by default, and items arriving during a flush into the next', async () => {
    const flushes: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        flushes.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((i) => i * 10);
      },
      { maxItems: 10, maxConcurrent: 1 },
    );
    const first = [1, 2, 3].map((i) => batcher.add(i));
    await Promise.resolve();
    const second = [4, 5].map((i) => batcher.add(i));
    assert.deepEqual(await Promise.all([...first, ...second]), [10, 20, 30, 40, 50]);
    assert.deepEqual(flushes, [
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("with gather 'turn', joins items added a few callbacks apart, up to maxItems by weight (one item at least)", async () => {
    const flushes: number[][][] = [];
    const options = { maxItems: 5, maxConcurrent: 1, weight: (item: number[]) => item.length };
    const batcher = new Batcher<number[], number>(
      async (items) => {
        flushes.push(items);
        return items.map((i) => i.length);
      },
      { ...options, gather: 'turn' },
    );
    assert.deepEqual(await addApart(batcher, [[1, 2], [3], [4, 5], [6, 7, 8, 9, 10, 11], [12]]), [2, 1, 2, 6, 1]);
    assert.deepEqual(flushes, [[[1, 2], [3], [4, 5]], [[6, 7, 8, 9, 10, 11]], [[12]]]);

    const byMicrotask: number[][][] = [];
    const eager = new Batcher<number[], number>(async (items) => {
      byMicrotask.push(items);
      return items.map((i) => i.length);
    }, options);
    await addApart(eager, [[1, 2], [3], [4, 5]]);
    assert.equal(byMicrotask.length, 3, 'without it, each callback flushes on its own');
  });

  it('rejects every caller of a flush that fails, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(
      async (items) => {
        if (calls++ === 0) throw new Error('database away');
        return items;
      },
      { maxItems: 10, maxConcurrent: 1 },
    );
    const failed = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    assert.deepEqual(
      failed.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await batcher.add(3), 3);
  });
});
