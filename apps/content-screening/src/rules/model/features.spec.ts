import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { READ_WINDOW, textWindows } from './features.js';

describe('textWindows', () => {
  it('reads a text up to the window whole, and a longer one in windows that cover it, each no longer than the window', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9$]{1,60}$/), { maxLength: 400 }), fc.integer({ min: 40, max: 400 }), (words, size) => {
        const text = words.join(' ');
        const windows = textWindows(text, size);
        if (text.length <= size) return assert.deepEqual(windows, [[0, text.length]]);
        assert.equal(windows[0]![0], 0);
        assert.equal(windows.at(-1)![1], text.length);
        for (const [i, [start, end]] of windows.entries()) {
          assert.ok(end - start <= size && end > start, `window ${start}-${end}`);
          // Each window starts after the last one did and no later than it ended: nothing is skipped.
          if (i > 0) assert.ok(start > windows[i - 1]![0] && start <= windows[i - 1]![1], `window ${start}-${end} after ${JSON.stringify(windows[i - 1])}`);
        }
      }),
    );
  });

  it('cuts at spaces, so no word of ordinary length is split', () => {
    const text = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    for (const [start, end] of textWindows(text, READ_WINDOW)) {
      assert.ok(start === 0 || text[start - 1] === ' ', `starts inside a word at ${start}`);
      assert.ok(end === text.length || text[end] === ' ', `ends inside a word at ${end}`);
    }
  });
});
