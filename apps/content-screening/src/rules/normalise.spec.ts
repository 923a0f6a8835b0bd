import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFUSABLE, COMPATIBILITY, INVISIBLE, flagNames, normalise, originalSpan } from './normalise.js';

describe('normalise', () => {
  it('lower-cases plain ASCII without building a position map', () => {
    const n = normalise('Acme Dental: CBD Gummies');
    assert.equal(n.text, 'acme dental: cbd gummies');
    assert.equal(n.origin, null);
    assert.deepEqual(originalSpan(n, 13, 24), { text: 'CBD Gummies', start: 13, end: 24 });
  });

  it('drops zero-width characters and maps what follows back to the original positions', () => {
    const source = 'Fresh m\u200Barij\u200Duana';
    const n = normalise(source);
    assert.equal(n.text, 'fresh marijuana');
    const span = originalSpan(n, 6, 15);
    assert.equal(span.text, 'm\u200Barij\u200Duana');
    assert.equal(source.slice(span.start, span.end), span.text);
    assert.ok((n.flags?.[7] ?? 0) & INVISIBLE, 'the letter after the invisible character is marked');
  });

  it('folds full-width and mathematical letters, and says so', () => {
    const n = normalise('Ｗｅｅｄ and 𝐂𝐁𝐃');
    assert.equal(n.text, 'weed and cbd');
    assert.deepEqual(flagNames(n.flags?.[0] ?? 0), ['compatibility']);
    const span = originalSpan(n, 9, 12);
    assert.equal(span.text, '𝐂𝐁𝐃', 'surrogate pairs map back whole');
  });

  it('reads look-alike letters of other scripts as Latin, and accents as plain letters', () => {
    const n = normalise('саnnаbis café');
    assert.equal(n.text, 'cannabis cafe');
    assert.ok((n.flags?.[0] ?? 0) & CONFUSABLE);
    assert.deepEqual(flagNames(n.flags?.[12] ?? 0), ['diacritic']);
  });

  it('keeps symbols that fold into letters from gluing onto words', () => {
    assert.equal(normalise('CBD™ oil').text, 'cbd  oil');
    assert.equal(normalise('won.com\uFFFDto claim').text, 'won.com to claim');
  });

  it('flags nothing for ordinary punctuation and emoji', () => {
    const n = normalise('We’re open 😊');
    assert.equal(n.text, 'we’re open 😊');
    assert.ok([...(n.flags ?? [])].every((f) => (f & (CONFUSABLE | COMPATIBILITY | INVISIBLE)) === 0));
  });
});
