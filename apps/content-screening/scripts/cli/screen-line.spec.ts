import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRules } from '../../src/rules/compile.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { envelopeOf, screenLine, ScreenInputSchema } from './screen-line.js';

const rules = compileRules(loadRuleData());
const line = (input: Record<string, unknown>): string =>
  JSON.stringify({ id: 'm1', body: 'Acme Dental: cleaning tomorrow at 9. Reply STOP to opt out.', to: '+14155552671', useCase: 'marketing', brand: 'Acme Dental', firstMessage: true, ...input });

describe('screenLine', () => {
  it('answers with the decision, categories, clauses and reasons, and the body only when transformed', async () => {
    const passed = await screenLine(line({}), 1, rules);
    assert.ok(!('error' in passed));
    assert.equal(passed.decision, 'pass');
    assert.equal(passed.body, undefined);
    const fixed = await screenLine(line({ body: 'Acme Dental: 15% off.' }), 2, rules);
    assert.ok(!('error' in fixed));
    assert.equal(fixed.decision, 'transform');
    assert.equal(fixed.body, 'Acme Dental: 15% off. Reply STOP to opt out.');
  });

  it('answers a line that is not JSON or not valid input with an error and its line number', async () => {
    assert.deepEqual(Object.keys(await screenLine('{oops', 7, rules)), ['line', 'error']);
    assert.equal(((await screenLine('{oops', 7, rules)) as { line: number }).line, 7);
    const invalid = await screenLine(line({ to: '4155552671' }), 3, rules);
    assert.ok('error' in invalid);
    assert.equal(invalid.id, 'm1');
    assert.match(invalid.error, /to:/);
  });

  it('takes the consent basis from the use case unless given, and the country and region from the number', () => {
    const informational = envelopeOf(ScreenInputSchema.parse(JSON.parse(line({ useCase: 'informational' }))));
    assert.equal(informational.consent?.basis, 'prior_relationship');
    assert.equal(envelopeOf(ScreenInputSchema.parse(JSON.parse(line({ useCase: 'conversational' })))).consent?.basis, 'conversation');
    assert.equal(envelopeOf(ScreenInputSchema.parse(JSON.parse(line({ consentBasis: 'express', useCase: 'informational' })))).consent?.basis, 'express');
    const toronto = envelopeOf(ScreenInputSchema.parse(JSON.parse(line({ to: '+14165550123' }))));
    assert.deepEqual([toronto.recipient.country, toronto.recipient.region], ['CA', 'ON']);
  });

  it('reads ageVerified as a verified age, or true for "of legal age"', async () => {
    const wine = { body: 'Acme Dental: wine and cheese night! Reply STOP to opt out.' };
    const decision = async (extra: Record<string, unknown>): Promise<string> => {
      const out = await screenLine(line({ ...wine, ...extra }), 1, rules);
      return 'error' in out ? out.error : out.decision;
    };
    assert.equal(await decision({}), 'block');
    assert.equal(await decision({ ageVerified: false }), 'block');
    assert.equal(await decision({ ageVerified: 19 }), 'block');
    assert.equal(await decision({ ageVerified: 25 }), 'pass');
    assert.equal(await decision({ ageVerified: true }), 'pass');
  });
});
