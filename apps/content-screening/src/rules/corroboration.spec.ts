import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRules } from './compile.js';
import { opinion, testEncoderHead as head } from '../test-support/encoder-opinion.js';
import { loadRuleData } from './rule-data.js';
import { DEFAULT_SETTINGS, ENCODER_LAWFUL, needsSecondOpinion, screen, withCorroborationAt, type ScreeningFacts, type SecondOpinion } from './screen-message.js';

// A rule's finding stops a message only where the category's head (or the encoder) shares it.
// `withCorroborationAt(rules, 1)` asks more of every head than any score reaches, so these
// cases do not depend on what the shipped model scores; the last case uses the shipped model.
const rules = compileRules(loadRuleData());
const strict = withCorroborationAt(rules, 1);
const facts: ScreeningFacts = { country: 'US', age: { verified: false }, basis: 'prior_relationship', firstMessage: false, kind: 'standard', brand: 'Tallgrass Allergy', settings: DEFAULT_SETTINGS };

const pollen = 'Tallgrass Allergy: Weed pollen counts are high this week. Keep windows closed and take your antihistamine daily. Reply STOP to opt out.';

describe('corroboration of a rule’s finding by stage two', () => {
  it('stops on the rule alone when no corroboration is asked', () => {
    const result = screen(pollen, facts, withCorroborationAt(rules, 0));
    assert.equal(result.decision, 'block');
    assert.deepEqual(result.categories, ['cannabis']);
  });

  it('lets the message pass when the head does not share the finding, and says what it scored', () => {
    const result = screen(pollen, facts, strict);
    assert.equal(result.decision, 'pass');
    assert.deepEqual(result.categories, []);
    const finding = result.findings.find((f) => f.category === 'cannabis');
    assert.equal(finding?.uncorroborated, true);
    assert.match(finding?.reason ?? '', /^cannabis: "Weed" at 19-23; not read as cannabis: text model \S+ scores 0\.\d{3}, and a rule's finding stops a message from 1\.000$/);
    // Still unsure: the encoder is asked, as for any other text.
    assert.equal(needsSecondOpinion(result, { consult: 2 }), true);
  });

  it('keeps the rule’s finding when the encoder reads the category at its hold band', () => {
    const result = screen(pollen, facts, strict, opinion('cannabis', 0.7));
    assert.equal(result.decision, 'block');
    assert.deepEqual(result.clauses, ['MP.CONTENT.CANNABIS']);
    assert.match(result.reasons.join(' '), /the text encoder text-encoder\.test reads it as cannabis \(0\.70, a rule's finding confirmed from 0\.60\)/);
    const passed = screen(pollen, facts, strict, opinion('benign', 0.95));
    assert.equal(passed.decision, 'pass');
    assert.match(passed.reasons.join(' '), /and the text encoder text-encoder\.test 0\.\d\d,/);
  });

  it('keeps the rule’s finding from the encoder’s corroborate score, below its hold band, where the head file gives one', () => {
    const withCorroborate = (c: number, p = 0.5): SecondOpinion => {
      const base = opinion('cannabis', p);
      return { ...base, head: { ...base.head, bands: { ...base.head.bands, cannabis: { hold: 0.6, block: 0.9, corroborate: c } } } };
    };
    const confirmed = screen(pollen, facts, strict, withCorroborate(0.45));
    assert.equal(confirmed.decision, 'block');
    assert.match(confirmed.reasons.join(' '), /reads it as cannabis \(0\.50, a rule's finding confirmed from 0\.45\)/);
    assert.equal(screen(pollen, facts, strict, withCorroborate(0.55)).decision, 'pass');
    // Never above the hold band, whatever the file says.
    assert.equal(screen(pollen, facts, strict, withCorroborate(0.95, 0.7)).decision, 'block');
  });

  it('lets the encoder stop a text alone only for a category the linear head reads at its corroborate score and the policy floor', () => {
    const reminder = 'Tallgrass Allergy: your allergy testing is Tuesday at 10. Stop antihistamines 5 days before. Reply STOP to opt out.';
    const cannabis = rules.model.heads.find((h) => h.name === 'cannabis')!;
    assert.ok((screen(reminder, facts, rules).modelScores.cannabis ?? 0) < cannabis.corroborate, 'the linear head reads no cannabis here');
    assert.equal(screen(reminder, facts, rules, opinion('cannabis', 0.97)).decision, 'pass');
    // Without the floor (no corroboration asked, and a policy floor of 0), the encoder stops it alone.
    const noFloor = withCorroborationAt(rules, 0);
    const anyScore = { ...noFloor, data: { ...noFloor.data, policy: { ...noFloor.data.policy, encoderFloor: 0 } } };
    assert.equal(screen(reminder, facts, anyScore, opinion('cannabis', 0.97)).decision, 'block');
    assert.equal(screen(reminder, facts, noFloor, opinion('cannabis', 0.97)).decision, 'pass', 'the policy floor alone keeps it');
  });

  it('keeps the rule’s finding when the encoder cannot be asked (fails closed)', () => {
    const result = screen(pollen, facts, strict, { head, unavailable: 'its queue is full' });
    assert.equal(result.decision, 'block');
    assert.ok(result.categories.includes('cannabis'));
  });

  it('puts a finding the head shares short of its hold band to the encoder, and lets it pass only when the encoder is sure it is lawful', () => {
    // The cannabis head shares the finding (corroborate 0) but short of its hold band (2).
    const weakly = { ...rules, model: { ...rules.model, heads: rules.model.heads.map((h) => (h.name === 'cannabis' ? { ...h, corroborate: 0, hold: 2, block: 2 } : h)) } };
    const first = screen(pollen, facts, weakly);
    assert.equal(first.decision, 'block');
    assert.equal(first.findings.find((f) => f.category === 'cannabis')?.weak, true);
    assert.equal(needsSecondOpinion(first, { consult: 2 }), true, 'asked although a rule blocked it');

    const lawful = screen(pollen, facts, weakly, opinion('benign', ENCODER_LAWFUL + 0.01));
    assert.equal(lawful.decision, 'pass');
    assert.deepEqual(lawful.categories, []);
    const finding = lawful.findings.find((f) => f.category === 'cannabis');
    assert.equal(finding?.uncorroborated, true);
    assert.match(
      finding?.reason ?? '',
      /read as lawful: the text encoder text-encoder\.test scores it lawful 0\.990 and cannabis 0\.001, and text model \S+ \d\.\d{3}, short of its hold band 2\.000$/,
    );

    assert.equal(screen(pollen, facts, weakly, opinion('benign', ENCODER_LAWFUL - 0.03)).decision, 'block', 'not sure enough');
    assert.equal(screen(pollen, facts, weakly, opinion('cannabis', 0.7)).decision, 'block');
    assert.equal(screen(pollen, facts, weakly, { head, unavailable: 'its queue is full' }).decision, 'block', 'fails closed');
    // At the head's hold band the finding stands without the encoder.
    const firmly = { ...rules, model: { ...rules.model, heads: rules.model.heads.map((h) => (h.name === 'cannabis' ? { ...h, corroborate: 0, hold: 0 } : h)) } };
    const strong = screen(pollen, facts, firmly);
    assert.equal(strong.findings.find((f) => f.category === 'cannabis')?.weak, undefined);
    assert.equal(needsSecondOpinion(strong, { consult: 2 }), false);
    assert.equal(screen(pollen, facts, firmly, opinion('benign', 0.999)).decision, 'block');
  });

  it('needs no corroboration for a disguised word, a malicious link or fraud signals at the firm score', () => {
    const disguised = screen('Tallgrass Allergy: W33d pollen counts are high this week. Reply STOP to opt out.', facts, strict);
    assert.equal(disguised.decision, 'block');
    assert.ok(disguised.categories.includes('cannabis') && disguised.categories.includes('filter_evasion'));
    const apk = screen('Tallgrass Allergy: install our new patient app: tallgrass-app.info/patient.apk Reply STOP to opt out.', facts, strict);
    assert.equal(apk.decision, 'block');
    assert.ok(apk.categories.includes('malware'));
    const scam = 'URGENT: your account is suspended. Verify your card number and PIN at http://192.168.4.20/verify to claim your $500 refund.';
    const firm = rules.data.lexicons.fraud.firm;
    const result = screen(scam, { ...facts, basis: 'conversation' }, strict);
    assert.ok(result.fraudScore >= firm, `fraud score ${result.fraudScore} is below the firm score ${firm}`);
    assert.equal(result.decision, 'block');
    assert.ok(result.categories.includes('fraud'));
  });

  it('needs no corroboration for a firm term of its category (a threat to kill), and keeps asking it of a term with an everyday sense', () => {
    const threat = screen('Tallgrass Allergy: I will kill you if you call again. Reply STOP to opt out.', facts, strict);
    assert.equal(threat.decision, 'block');
    assert.deepEqual(threat.categories, ['hate']);
    assert.match(threat.reasons.join(' '), /^hate: "will kill you" at \d+-\d+$/);
    const everyday = screen('Tallgrass Allergy: lifting heavy bags this week will hurt you, so ask for help. Reply STOP to opt out.', facts, strict);
    assert.equal(everyday.decision, 'pass');
    assert.equal(everyday.findings.find((f) => f.category === 'hate')?.uncorroborated, true);
    // "we'll shoot you a text" is no threat at all: its benign phrase covers the words.
    const text = screen("Tallgrass Allergy: we'll shoot you a text when your results are in. Reply STOP to opt out.", facts, withCorroborationAt(rules, 0));
    assert.equal(text.decision, 'pass');
    assert.equal(
      text.findings.find((f) => f.category === 'hate'),
      undefined,
    );
  });

  it('with the shipped model: pollen passes, weed offered for sale is stopped', () => {
    const cannabis = rules.model.heads.find((h) => h.name === 'cannabis')!;
    assert.ok(cannabis.corroborate > 0, 'the shipped cannabis head asks for corroboration');
    assert.equal(screen(pollen, facts, rules).decision, 'pass');
    const sale = screen('Fresh weed delivered tonight, $40 an eighth, text back to order.', { ...facts, basis: 'conversation' }, rules);
    assert.equal(sale.decision, 'block');
    assert.ok(sale.categories.includes('cannabis'));
  });
});

// Where stage one saw part of a scam or a promotion, the head holds from its `agree` score.
// The heads agree from `level`, and none holds on its own score (its bands out of reach): what is
// held here is held by the agreement, whatever the trained heads score these texts.
const agreeingAt = (level: number) => ({ ...rules, model: { ...rules.model, heads: rules.model.heads.map((h) => ({ ...h, agree: level, hold: 2, block: 2 })) } });
const reminder = { ...facts, brand: 'Acme Dental', basis: 'express' as const };

describe('agreement of the head with part of stage one’s evidence', () => {
  const verify = 'Acme Dental: please verify your account details with us today.';
  const pitch = 'Acme Dental: your crown is ready for pickup. Ask about our new whitening kit at the front desk.';

  it('holds a text with fraud signals short of the threshold when the fraud head agrees, and says what each saw', () => {
    const result = screen(verify, reminder, agreeingAt(0));
    assert.equal(result.decision, 'hold');
    assert.deepEqual(result.categories, ['fraud']);
    assert.ok(result.clauses.includes('MP.CONTENT.FRAUD'));
    assert.match(result.reasons.join(' '), /fraud: stage one saw part of it \(fraud signals score 0\.5: verify_request\), and the text model agrees from 0\.00; text model/);
    assert.equal(screen(verify, reminder, agreeingAt(1)).decision, 'pass');
  });

  it('holds a product pitch in an informational text the promotional head agrees with, and lets it pass under express consent', () => {
    const held = screen(pitch, { ...reminder, basis: 'prior_relationship' }, agreeingAt(0));
    assert.equal(held.decision, 'hold');
    assert.deepEqual(held.clauses, ['MP.CONSENT.PRIOR_RELATIONSHIP']);
    assert.match(held.reasons.join(' '), /promotion signals score 0\.5: product_pitch/);
    assert.equal(screen(pitch, reminder, agreeingAt(0)).decision, 'pass');
  });

  it('holds a word of a gated category seen with no cue beside it when the category’s head agrees', () => {
    const picnic = 'Acme Dental: the staff picnic has beer and burgers on Saturday.';
    const held = screen(picnic, reminder, agreeingAt(0));
    assert.equal(held.decision, 'hold');
    assert.deepEqual(held.categories, ['alcohol']);
    assert.match(held.reasons.join(' '), /alcohol: stage one saw part of it \("beer" at 34-38, short of a finding\), and the text model agrees from 0\.00/);
    assert.equal(screen(picnic, reminder, agreeingAt(1)).decision, 'pass');
    assert.equal(screen(picnic, { ...reminder, age: { verified: true, years: 30 } }, agreeingAt(0)).decision, 'pass');
  });

  it('asks nothing of a text in which stage one saw no part of the category', () => {
    assert.equal(screen('Acme Dental: your cleaning is tomorrow at 9:00.', reminder, agreeingAt(0)).decision, 'pass');
  });
});
