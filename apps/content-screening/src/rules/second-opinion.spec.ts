import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRules } from './compile.js';
import { opinion, testEncoderHead as head } from '../test-support/encoder-opinion.js';
import { loadRuleData } from './rule-data.js';
import { DEFAULT_SETTINGS, needsSecondOpinion, screen, verdictOf, type ScreeningFacts, type SecondOpinion } from './screen-message.js';

// How the encoder's opinion changes the pure decision (the opinion is given as data here; the
// encoder itself is exercised in model/text-encoder.spec.ts).
const rules = compileRules(loadRuleData());
const facts: ScreeningFacts = { country: 'US', age: { verified: false }, basis: 'express', firstMessage: false, kind: 'standard', brand: 'Acme Dental', settings: DEFAULT_SETTINGS };

const reminder = 'Acme Dental: your cleaning is tomorrow at 9:00. Reply STOP to opt out.';
// Fraud with no trigger word stage one knows: only a model can see it.
const scam = 'Acme Dental: this is Dana from billing, I need the 6 digit code we just texted you to finish your refund.';

describe('the text encoder’s opinion in the decision', () => {
  it('blocks with the category’s clause when the encoder reaches its block band, and says so', () => {
    const result = screen(scam, facts, rules, opinion('fraud', 0.97));
    assert.equal(result.decision, 'block');
    assert.deepEqual(result.categories, ['fraud']);
    assert.ok(result.clauses.includes('MP.CONTENT.FRAUD'));
    assert.match(result.reasons.join(' '), /text encoder text-encoder\.test scores 0\.97 \(hold from 0\.60, block from 0\.90\)/);
  });

  it('holds in the encoder’s hold band, and lets the text pass when the encoder finds nothing', () => {
    assert.equal(screen(scam, facts, rules, opinion('fraud', 0.7)).decision, 'hold');
    assert.equal(screen(reminder, facts, rules, opinion('benign', 0.99)).decision, 'pass');
  });

  it('never lets a linear score in the block band block alone once the encoder was asked: it holds', () => {
    // Cannabis by product slang: no lexicon term, the linear cannabis head alone reaches block.
    const linearBlocks = 'Acme Dental: shatter, wax pens and badder carts restocked, dm for the menu. Reply STOP to opt out.';
    const alone = screen(linearBlocks, facts, rules);
    const cannabis = rules.model.heads.find((h) => h.name === 'cannabis')!;
    assert.equal(alone.decision, 'block');
    assert.ok(alone.findings.every((f) => f.reason.includes('text model')));
    assert.ok((alone.modelScores.cannabis ?? 0) >= cannabis.block);
    const disagreed = screen(linearBlocks, facts, rules, opinion('cannabis', 0.3));
    assert.equal(disagreed.decision, 'hold');
    assert.match(disagreed.reasons.join(' '), /below its hold band, so the linear score only holds/);
    // Where the encoder reads next to nothing of the category (under the policy's linearFloor), not even that.
    const lawful = opinion('benign', 0.99);
    assert.ok('scores' in lawful && lawful.scores.cannabis < rules.data.policy.linearFloor);
    assert.notEqual(screen(linearBlocks, facts, rules, lawful).decision, 'hold');
  });

  it('lets no linear score the encoder does not share hold a text whose words of the category stage one reads as harmless', () => {
    // Aftercare in Spanish: "no cigarette and no vape for 3 days". The linear tobacco head reads the
    // words alone; with its bands put under that score (as a head trained on other text scored it),
    // it reaches its block band, and the lexicon's benign phrase covers the words.
    const aftercare = 'Acme Dental: ¿cómo sigue después de la extracción? Recuerde nada de cigarro ni vapeador por 3 días. STOP para salir.';
    const score = screen(aftercare, facts, rules).modelScores.tobacco ?? 0;
    assert.ok(score > 0.3, `linear tobacco score ${score}`);
    const reading = { ...rules, model: { ...rules.model, heads: rules.model.heads.map((h) => (h.name === 'tobacco' ? { ...h, hold: score / 2, block: score * 0.99 } : h)) } };
    const first = screen(aftercare, facts, reading);
    assert.equal(first.decision, 'block', 'the linear head alone blocks it');
    assert.equal(screen(aftercare, facts, reading, opinion('tobacco', 0.05)).decision, 'pass');
    // The same words offered for sale are no such case: the encoder's disagreement still holds them.
    const sale = 'Acme Dental: cigarros y vapeadores a mitad de precio hoy, cajetilla a $5. STOP para salir.';
    const sold = screen(sale, facts, reading, opinion('tobacco', 0.05));
    assert.notEqual(sold.decision, 'pass');
    assert.ok(sold.categories.includes('tobacco'));
  });

  it('holds a text that both models read as the category though neither reaches its own hold band', () => {
    // A task-job opener: the linear fraud head scores it under its hold band, and so does the encoder.
    const opener = 'Acme Dental: hey it is Dana, are you still looking for part time work? $300 a day from your phone, text me back.';
    const linear = screen(opener, facts, rules).modelScores.fraud!;
    const fraud = rules.model.heads.find((h) => h.name === 'fraud')!;
    assert.ok(linear > fraud.corroborate && linear < fraud.hold, `linear fraud score ${linear}`);
    const p = 0.55; // under the test head's hold band (0.6)
    const jointAt = (joint: number): SecondOpinion => ({ ...opinion('fraud', p), head: { ...head, bands: { ...head.bands, fraud: { hold: 0.6, block: 0.9, joint } } } });
    const together = Math.sqrt(linear * p);
    const held = screen(opener, facts, rules, jointAt(together - 0.01));
    assert.equal(held.decision, 'hold');
    assert.deepEqual(held.categories, ['fraud']);
    assert.match(held.reasons.join(' '), /reads the category together at \d\.\d\d \(held from \d\.\d\d\)/);
    assert.equal(screen(opener, facts, rules, jointAt(together + 0.01)).decision, 'pass');
    assert.equal(screen(opener, facts, rules, opinion('fraud', p)).decision, 'pass'); // no joint band: as before
  });

  it('asks the encoder about a promotion the linear head is unsure of, where promotion would stop the text, and holds what both read', () => {
    const notice = 'Acme Dental: see you Tue 3pm for your cleaning. Do not forget our whitening special this month.';
    const prior: ScreeningFacts = { ...facts, basis: 'prior_relationship' };
    const promotion = rules.model.heads.find((h) => h.name === 'promotional')!;
    const alone = screen(notice, prior, rules);
    assert.equal(alone.decision, 'pass');
    assert.ok(alone.promotionScore > 0.94 && alone.promotionScore < promotion.hold, `linear promotional score ${alone.promotionScore}`);
    const bands = { ...head.bands, promotional: { hold: 0.99, block: 0.999, joint: 0.97 } };
    const withJoint = { ...head, bands };
    // Sent for promotion alone (no other head is unsure: consult out of reach), never without a joint band or under an express basis.
    assert.equal(needsSecondOpinion(alone, { consult: 2, bands }), true);
    assert.equal(needsSecondOpinion(alone, { consult: 2, bands: head.bands }), false);
    assert.equal(needsSecondOpinion(screen(notice, facts, rules), { consult: 2, bands }), false);
    const held = screen(notice, prior, rules, { ...opinion('promotional', 0.98), head: withJoint });
    assert.equal(held.decision, 'hold');
    assert.deepEqual(held.categories, ['promotional']);
    assert.match(held.reasons.join(' '), /promotional: may promote .* reads the category together at 0\.9\d \(held from 0\.97\)/);
    assert.equal(screen(notice, prior, rules, { ...opinion('benign', 0.98), head: withJoint }).decision, 'pass');
    // The encoder could not be asked: held as the promotion it was asked about (fails closed).
    const unavailable = screen(notice, prior, rules, { head: withJoint, unavailable: 'its queue is full' });
    assert.equal(unavailable.decision, 'hold');
    assert.deepEqual(unavailable.categories, ['promotional']);
  });

  it('holds an unsure text when the encoder could not be asked (fails closed)', () => {
    const result = screen(reminder, facts, rules, { head, unavailable: 'its queue is full' });
    assert.equal(result.decision, 'hold');
    assert.match(result.reasons.join(' '), /could not be asked \(its queue is full\)/);
  });

  it('asks about texts no rule has blocked that some category head is unsure of, or blocks alone', () => {
    const cbd = screen('Acme Dental: relax with our CBD gummies! Reply STOP to opt out.', facts, rules);
    assert.equal(cbd.decision, 'block');
    assert.equal(needsSecondOpinion(cbd, { consult: 0 }), false);
    const linearBlocks = screen('Acme Dental: shatter, wax pens and badder carts restocked, dm for the menu. Reply STOP to opt out.', facts, rules);
    assert.equal(linearBlocks.decision, 'block');
    assert.equal(needsSecondOpinion(linearBlocks, { consult: 0.5 }), true);
    const plain = screen(reminder, facts, rules);
    assert.equal(needsSecondOpinion(plain, { consult: plain.consultScore }), true);
    assert.equal(needsSecondOpinion(plain, { consult: plain.consultScore + 1e-9 }), false);
  });

  it('records the encoder’s version and scores on the verdict', () => {
    const verdict = verdictOf(screen(scam, facts, rules, opinion('fraud', 0.97)), rules, new Date('2026-12-06T00:00:00Z'));
    assert.equal(verdict.facts['encoderVersion'], 'text-encoder.test');
    assert.ok((verdict.facts['encoderScores'] as string[]).includes('fraud=0.97'));
    const unavailable = verdictOf(screen(reminder, facts, rules, { head, unavailable: 'its queue is full' }), rules, new Date());
    assert.equal(unavailable.facts['encoderUnavailable'], 'its queue is full');
  });
});
