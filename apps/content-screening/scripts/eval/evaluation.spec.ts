import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confusion, formatTable, labelMetrics } from './metrics.js';
import { closestSimilarity, comparable, mendeleyOnly } from './public-sets.js';
import { TECHNIQUES, variantsOf } from './make-variants.js';
import type { LabeledCase } from './labeled-set.js';

describe('metrics', () => {
  it('count precision and recall per label and a confusion table', () => {
    const [cannabis] = labelMetrics(
      [
        { expected: ['cannabis'], actual: ['cannabis'] },
        { expected: ['cannabis'], actual: [] },
        { expected: [], actual: ['cannabis'] },
        { expected: [], actual: [] },
      ],
      ['cannabis'],
    );
    assert.deepEqual([cannabis?.precision, cannabis?.recall], [0.5, 0.5]);
    assert.deepEqual(
      confusion(
        [
          { expected: 'pass', actual: 'block' },
          { expected: 'pass', actual: 'pass' },
        ],
        ['pass', 'block'],
      ),
      [
        [1, 1],
        [0, 0],
      ],
    );
    assert.equal(
      formatTable([
        ['a', 'bb'],
        ['ccc', 1],
      ]),
      'a    bb\nccc   1',
    );
  });
});

describe('public sets', () => {
  it('compare texts across the two sets despite entities, spacing and case', () => {
    assert.equal(comparable('Hi &amp;  BYE\t'), 'hi & bye');
    const only = mendeleyOnly(
      [
        { label: 'ham', text: 'Ok lar &lt;3' },
        { label: 'smishing', text: 'new one' },
      ],
      [{ label: 'ham', text: 'ok  lar <3' }],
    );
    assert.deepEqual(
      only.map((r) => r.text),
      ['new one'],
    );
  });

  it('tell an edited copy of a reference row from a text unlike any of them', () => {
    const reference = [
      { label: 'spam', text: 'WINNER!! As a valued network customer you have been selected to receive a £900 prize reward! To claim call 09061701461.' },
      { label: 'ham', text: 'Ok lar... Joking wif u oni...' },
    ] as const;
    const [edited, unlike, same] = closestSimilarity(
      [
        { label: 'smishing', text: 'WINNER!! As a valued network customer you have been selected to receive a $500 prize reward! To claim call 08001234567.' },
        { label: 'smishing', text: 'USPS: your parcel is held at the depot, update the address at usps-redeliver.top' },
        { label: 'ham', text: 'ok LAR... joking wif u oni...' },
      ],
      reference,
    );
    assert.ok(edited! >= 0.6, `edited copy at ${edited}: not novel`);
    assert.ok(unlike! < 0.3, `unlike text at ${unlike}`);
    assert.ok(Math.abs(same! - 1) < 1e-9, `same text at ${same}`);
  });
});

describe('evasion variants of the labeled set', () => {
  it('disguise the named word once per technique and expect a block for evasion', () => {
    const base = {
      id: 'x',
      body: 'Acme Dental: Weed delivery',
      to: '+14155552671',
      useCase: 'marketing',
      brand: 'Acme Dental',
      firstMessage: true,
      expected: { decision: 'block', categories: ['cannabis'] },
      group: 'prohibited',
      disguise: 'Weed',
    } as LabeledCase;
    const variants = variantsOf(base);
    assert.deepEqual(
      variants.map((v) => v.id),
      ['x~homoglyph', 'x~zero-width', 'x~leet', 'x~split', 'x~fullwidth'],
    );
    assert.ok(variants.every((v) => v.body !== base.body && v.expected.categories.includes('filter_evasion') && v.disguise === undefined));
    assert.equal(TECHNIQUES['split']!('CBD'), 'C.B.D');
    assert.equal(TECHNIQUES['misspelling']!('marijuana'), 'maijuana');
  });
});
