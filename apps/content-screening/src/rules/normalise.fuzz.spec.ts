import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalise, originalSpan } from './normalise.js';

/** Text of every kind: ASCII, any code point, and evasion material (invisibles, look-alikes, full-width). */
const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.constantFrom('C', 'B', 'D', 'ｗ', 'е', 'ѕ', '0', '1', '.', '-', ' ', '\u200b', '\u00ad', '\ufeff', '🌿', 'é', 'ß', 'İ', 'ﬁ'), { maxLength: 80 }).map((a) => a.join('')),
);

describe('the normaliser under fuzzing', () => {
  it('never throws, and maps every normalised character back to a place in the original', () => {
    fc.assert(
      fc.property(text, (source) => {
        const n = normalise(source);
        assert.equal(n.source, source);
        if (n.origin) {
          assert.equal(n.origin.length, n.text.length);
          for (let i = 0; i < n.origin.length; i++) assert.ok(n.origin[i]! >= 0 && n.origin[i]! < source.length, `origin ${n.origin[i]} outside the source`);
        } else {
          assert.equal(n.text, source.toLowerCase());
        }
        assert.equal(n.text, n.text.toLowerCase(), 'lower case');
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives evidence that is a real piece of the original text, for any span', () => {
    fc.assert(
      fc.property(
        text.filter((s) => normalise(s).text.length > 0),
        fc.nat(),
        fc.nat(),
        (source, a, b) => {
          const n = normalise(source);
          const start = a % n.text.length;
          const end = start + 1 + (b % (n.text.length - start));
          const span = originalSpan(n, start, end);
          assert.ok(span.start >= 0 && span.end <= source.length && span.start < span.end, JSON.stringify(span));
          assert.equal(source.slice(span.start, span.end), span.text);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
