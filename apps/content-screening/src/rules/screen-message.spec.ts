import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope } from '@sms/testing';
import { loadContentRules } from './content-rules.js';
import { compileRules, findCategories, screenMessage } from './screen-message.js';

const rules = compileRules(loadContentRules());
const now = new Date('2026-11-27T15:00:00Z');

describe('screenMessage: cannabis (MP.CONTENT.CANNABIS)', () => {
  it('blocks cannabis offers to US recipients and shows the evidence in the original text', () => {
    const body = 'Brightside: 20% off CBD gummies this week!';
    const verdict = screenMessage(anEnvelope({ message: { body } }), rules, now);
    assert.equal(verdict.decision, 'block');
    assert.deepEqual(verdict.clauses, ['MP.CONTENT.CANNABIS']);
    assert.deepEqual(verdict.facts['categories'], ['cannabis']);
    assert.match(verdict.reason, /cannabis: "CBD gummies" at 20-31/);
    assert.equal(body.slice(20, 31), 'CBD gummies');
  });

  it('sees through zero-width characters and full-width letters, and says so', () => {
    const body = 'Fresh m\u200Barijuana delivered. Ｗｅｅｄ too.';
    const [finding] = findCategories(body, 'US', rules);
    assert.equal(finding?.category, 'cannabis');
    assert.equal(finding?.evidence.text, 'm\u200Barijuana');
    assert.deepEqual(finding?.evidence.normalisation, ['invisible', 'nfkc']);
  });

  it('applies to US and unknown countries only', () => {
    assert.equal(findCategories('CBD oil now in store', 'CA', rules).length, 0);
    assert.equal(findCategories('CBD oil now in store', 'ZZ', rules).length, 1);
  });

  it('passes benign text that only looks risky', () => {
    for (const body of [
      'Brightside Dental: we weed out the plaque so you do not have to.',
      'Time to weed through your old toothbrushes!',
      'Your prescription is ready for pickup.',
      'Avoid smoking after your extraction.',
      'Stop by our office for a free flu shot.',
      'Our THCS team is hiring.',
    ]) {
      const verdict = screenMessage(anEnvelope({ message: { body } }), rules, now);
      assert.equal(verdict.decision, 'pass', body);
    }
  });

  it('cites the clauses it checked when it passes', () => {
    const verdict = screenMessage(anEnvelope(), rules, now);
    assert.equal(verdict.decision, 'pass');
    assert.deepEqual(verdict.clauses, ['MP.CONTENT.CANNABIS']);
  });
});
