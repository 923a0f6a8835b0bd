import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SlotWeights } from './slot-weights.js';

const SLOTS = 64;
const HEADS = 11;

/** Sparse quantised weights (index -> int16 value), and scales per head. */
const model = fc.record({
  weights: fc.uniqueArray(fc.record({ index: fc.nat(SLOTS * HEADS - 1), value: fc.integer({ min: -32767, max: 32767 }) }), { selector: (w) => w.index, maxLength: SLOTS * HEADS }),
  scales: fc.array(fc.double({ min: 1e-5, max: 1e-2, noNaN: true }), { minLength: HEADS, maxLength: HEADS }),
});

describe('slot weights', () => {
  it('hold exactly the float32 weights of a dense table, and add them up to the same sums', () => {
    fc.assert(
      fc.property(model, fc.array(fc.nat(SLOTS - 1), { maxLength: 200 }), ({ weights, scales }, occurrences) => {
        const sorted = [...weights].sort((a, b) => a.index - b.index);
        const dense = new Float32Array(SLOTS * HEADS);
        for (const { index, value } of sorted) dense[index] = value * scales[index % HEADS]!;
        const slotWeights = SlotWeights.build(SLOTS, scales, sorted);
        for (let i = 0; i < dense.length; i++) assert.equal(slotWeights.weight(Math.floor(i / HEADS), i % HEADS), dense[i], `weight ${i}`);
        const expected = new Float64Array(HEADS);
        for (const slot of occurrences) for (let k = 0; k < HEADS; k++) expected[k]! += dense[slot * HEADS + k]!;
        const sums = new Float64Array(HEADS);
        slotWeights.addAll(Uint32Array.from(occurrences), occurrences.length, sums);
        assert.deepEqual(sums, expected);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse weights out of order, outside the table, or more heads than fit', () => {
    assert.throws(
      () =>
        SlotWeights.build(
          4,
          [1, 1],
          [
            { index: 3, value: 1 },
            { index: 3, value: 2 },
          ],
        ),
      /weight index 3 does not follow 3/,
    );
    assert.throws(() => SlotWeights.build(4, [1, 1], [{ index: 8, value: 1 }]), /outside the model/);
    assert.throws(() => SlotWeights.build(4, new Array<number>(16).fill(1), []), /at most 15 heads/);
  });
});
