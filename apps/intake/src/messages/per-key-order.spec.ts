import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PerKeyOrder } from './per-key-order.js';

const deferred = () => {
  let resolve!: (value: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
};

describe('PerKeyOrder', () => {
  it('hands one key its items in the order they were added, whatever order they became ready in, skipping the unwanted', async () => {
    const calls: string[][] = [];
    const order = new PerKeyOrder<string>(async (key, items) => void calls.push([key, ...items]));
    const [a, b, c] = [deferred(), deferred(), deferred()];
    const done = [order.add('k', 'a', a.promise), order.add('k', 'b', b.promise), order.add('k', 'c', c.promise), order.add('other', 'x', true)];
    c.resolve(true);
    b.resolve(false);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [['other', 'x']], 'nothing of k before its first item is ready');
    a.resolve(true);
    await Promise.all(done);
    assert.deepEqual(
      calls,
      [
        ['other', 'x'],
        ['k', 'a', 'c'],
      ],
      'then what is ready, in order, in one call',
    );
    assert.equal(order.size, 0);
  });

  it('does not call again for a key until the call before returned', async () => {
    let running = 0;
    let overlapped = false;
    const seen: number[] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const order = new PerKeyOrder<number>(async (_key, items) => {
      overlapped ||= running > 0;
      running++;
      if (items[0] === 1) await first;
      seen.push(...items);
      running--;
    });
    const done = [order.add('k', 1, true)];
    await new Promise((r) => setImmediate(r));
    done.push(order.add('k', 2, true), order.add('k', 3, Promise.reject(new Error('insert failed'))), order.add('k', 4, true));
    release();
    await Promise.all(done);
    assert.equal(overlapped, false);
    assert.deepEqual(seen, [1, 2, 4]);
  });
});
