import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOptOutWordingData, OptOutWordingSchema } from './opt-out-wording-data.js';
import { OPT_OUT_WORDING_EXAMPLES } from './opt-out-wording.examples.js';
import { hasStandardOptOutWording, optOutWording, type TokenView } from './opt-out-wording.js';

const WORDS: TokenView<string> = { kind: (t) => (t === '#' || /^\d+$/.test(t) ? 'number' : 'word'), text: (t) => t };
const stretches = (words: string): string[] => {
  const tokens = words.split(' ');
  return optOutWording()
    .findStretches(tokens, WORDS)
    .map((s) => tokens.slice(s.first, s.last + 1).join(' '));
};

describe('opt-out wording data', () => {
  it('loads, validated, with a version and the sources it names', () => {
    const data = loadOptOutWordingData();
    assert.match(data.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);
    assert.ok(data.sources.some((s) => s.id === data.source));
  });

  it('refuses a phrase written with capitals or double spaces, and a source it does not list', () => {
    const data = loadOptOutWordingData();
    assert.equal(OptOutWordingSchema.safeParse({ ...data, purposes: ['Opt Out'] }).success, false);
    assert.equal(OptOutWordingSchema.safeParse({ ...data, notPurposes: ['quit  smoking'] }).success, false);
    assert.equal(OptOutWordingSchema.safeParse({ ...data, source: 'nowhere' }).success, false);
  });
});

describe('hasStandardOptOutWording', () => {
  for (const example of OPT_OUT_WORDING_EXAMPLES) {
    it(`${example.standard ? 'finds' : 'does not find'} standard wording in ${JSON.stringify(example.text)}: ${example.why}`, () => {
      assert.equal(hasStandardOptOutWording(example.text), example.standard);
    });
  }
});

describe('instructions written as one stretch (boilerplate)', () => {
  it('runs from verb or keyword to the shortest purpose, any language, numbers between', () => {
    assert.deepEqual(stretches('hi reply stop to opt out of these'), ['reply stop to opt out', 'stop to opt out']);
    assert.deepEqual(stretches('txt stop to # to unsubscribe'), ['txt stop to # to unsubscribe']);
    assert.deepEqual(stretches('responde alto para cancelar'), ['responde alto para cancelar']);
    assert.deepEqual(stretches('reply stop to stop receiving'), ['reply stop to stop', 'stop to stop']);
  });

  it('leaves out a purpose before the verb, an invented keyword and a purpose that names no opt-out', () => {
    assert.deepEqual(stretches('to unsubscribe text stop'), []);
    assert.deepEqual(stretches('text nope to quit'), []);
    assert.deepEqual(stretches('reply stop to quit smoking'), []);
  });
});
