import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '@sms/util';
import { normalise } from '../normalise.js';
import { ENCODER_CLASSES, POOL_FULL } from './encoder-head.js';
import { EncoderTokenizer, maskCodes, MAX_TOKENS } from './encoder-input.js';
import { compileRules } from '../compile.js';
import { loadRuleData } from '../rule-data.js';
import { DEFAULT_SETTINGS, needsSecondOpinion, screen, verdictOf, withCorroborationAt } from '../screen-message.js';
import { EncoderCache, screenBatch, screenTwoStage, withDigitsShifted } from './second-opinion.js';
import { EncoderPool, TextEncoder } from './text-encoder.js';

// The shipped encoder (model/), run by onnxruntime as the service runs it.
let encoder: TextEncoder;
const tokenizer = new EncoderTokenizer();
const pieces = (text: string): number[] => tokenizer.encode(normalise(text));

before(async () => {
  encoder = await TextEncoder.load();
});
after(async () => {
  await encoder?.close();
});

describe('the text encoder', () => {
  it('cuts text into the model’s word pieces, at most MAX_TOKENS with the closing separator kept', () => {
    const short = pieces('Your cleaning is tomorrow at 9.');
    assert.equal(short[0], 101); // [CLS]
    assert.equal(short.at(-1), 102); // [SEP]
    const long = pieces('appointment '.repeat(300));
    assert.equal(long.length, MAX_TOKENS);
    assert.equal(long.at(-1), 102);
  });

  it('reads reference codes and UUIDs as one placeholder, and leaves words, numbers, dates and links alone', () => {
    assert.equal(maskCodes('see you tuesday. 3f1c2b9a-77d2-4a61-9c1e-0b7e5d2a9f10'), 'see you tuesday. ref');
    assert.equal(maskCodes('order ab12cd34 shipped, tracking 1z999aa10123456784.'), 'order ref shipped, tracking ref.');
    for (const kept of ['covid-19 booster', 'b12 shot on 2026-12-05', 'call 555-0199', 'code 48213967', 'visit acme-care.com/a7x9k2m4q8 now']) assert.equal(maskCodes(kept), kept);
  });

  it('does not read a random reference code as a scam', async () => {
    for (const code of ['3f1c2b9a-77d2-4a61-9c1e-0b7e5d2a9f10', '9b0e4c1d-2a3f-4e5b-8c6d-7e8f9a0b1c2d', 'x7k2m9p4q8r1']) {
      const scores = await encoder.score(pieces(`Acme Dental: see you Tuesday. Reply STOP to opt out. ${code}`));
      assert.ok(scores.benign > 0.5, `${code}: benign ${scores.benign}`);
    }
  });

  it('gives a probability per class, summing to one', async () => {
    const scores = await encoder.score(pieces('Brightside Dental: your cleaning is tomorrow at 9:00 AM. Reply C to confirm.'));
    assert.deepEqual(Object.keys(scores), [...ENCODER_CLASSES]);
    const total = Object.values(scores).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-6, `sum ${total}`);
  });

  it('tells a reminder from a scam that uses no trigger word', async () => {
    const reminder = await encoder.score(pieces('Brightside Dental: Hi Sam, your cleaning is tomorrow at 9:00 AM with Dr. Lee. Reply C to confirm or STOP to opt out.'));
    const scam = await encoder.score(pieces('This is the billing office. To finish processing your refund we need the 6 digit code we just texted you. Reply with it now.'));
    assert.ok(reminder.benign > 0.5, `reminder benign ${reminder.benign}`);
    assert.ok(scam.fraud > scam.benign, `scam fraud ${scam.fraud} benign ${scam.benign}`);
  });

  it('passes one template sent with every number from 1 to 200: a number alone never makes a category', async () => {
    // A retrained encoder once held "offer 17 of 200" as prescription drugs (the end-to-end tier caught it).
    const rules = compileRules(loadRuleData());
    const facts = { country: 'US', age: { verified: false }, basis: 'express', firstMessage: false, kind: 'standard', brand: 'Acme Dental', settings: DEFAULT_SETTINGS } as const;
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 256 });
    const stopped: string[] = [];
    for (let n = 1; n <= 200; n++) {
      const body = `Acme Dental: offer ${n} of 200. Reply STOP to opt out.`;
      const result = await screenTwoStage(body, facts, rules, { pool, tokenizer });
      if (result.decision !== 'pass') stopped.push(`${n}: ${result.decision} ${result.reasons.join('; ')}`);
    }
    assert.deepEqual(stopped, []);
  });

  it('reads a text its answer would stop again with other digits, and says so', async () => {
    assert.equal(withDigitsShifted('offer 17 of 200, call 555-0199', 1), 'offer 28 of 311, call 666-1200');
    assert.equal(withDigitsShifted('offer 17 of 200', 5), 'offer 62 of 755');
    const rules = compileRules(loadRuleData());
    const facts = { country: 'US', age: { verified: false }, basis: 'conversation', firstMessage: true, kind: 'standard', brand: 'Unknown', settings: DEFAULT_SETTINGS } as const;
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 8 });
    const scam = await screenTwoStage('Hey its Jess from the meetup, I made 4,200 last week trading with my mentor, want his number?', facts, rules, { pool, tokenizer });
    assert.equal(scam.decision, 'hold');
    assert.ok(scam.categories.includes('fraud'), scam.categories.join());
    assert.equal(scam.secondOpinion && 'scores' in scam.secondOpinion ? scam.secondOpinion.renderings : undefined, 2);
    assert.match(scam.reasons.join(' '), /lowest over the text and 2 renderings of it with other digits/);
  });

  it('stops a text it should ask about when the encoder fails, and records why, rather than throwing', async () => {
    const broken = await TextEncoder.load();
    await broken.close(); // its session gone: every reading throws
    const rules = compileRules(loadRuleData());
    const facts = { country: 'US', age: { verified: false }, basis: 'conversation', firstMessage: true, kind: 'standard', brand: 'Unknown', settings: DEFAULT_SETTINGS } as const;
    const pool = new EncoderPool(broken, { concurrency: 1, maxQueue: 8 });
    const result = await screenTwoStage('Hey its Jess from the meetup, I made 4,200 last week trading with my mentor, want his number?', facts, rules, {
      pool,
      tokenizer,
      cache: new EncoderCache(pool, 16),
    });
    assert.ok(result.decision === 'hold' || result.decision === 'block', result.decision);
    assert.match(JSON.stringify(verdictOf(result, rules, new Date()).facts), /"encoderUnavailable":"it failed: Session already disposed/);
  });

  it('passes the platform’s kinds of lawful template whatever their names, dates, times, amounts and reference numbers', async () => {
    // Hundreds of clinics send the same wording personalised per patient: no rendering of a
    // lawful template may be stopped because of the numbers it happens to carry.
    const random = seededRandom(20261206);
    const n = (from: number, to: number): number => from + Math.floor(random() * (to - from + 1));
    const templates: [brand: string, render: () => string][] = [
      ['Acme Dental', () => `Acme Dental: ${n(5, 50)}% off whitening until the ${n(1, 28)}th. Reply STOP to opt out.`],
      ['Brightside Dental', () => `Brightside Dental: Hi Sam, your cleaning is on Dec ${n(1, 31)} at ${n(7, 18)}:${n(10, 59)}. Reply C to confirm or STOP to opt out.`],
      [
        'Lakeview Clinic',
        () => `Lakeview Clinic: appointment #${n(1000, 999999)} is confirmed for ${n(1, 12)}/${n(1, 28)} at ${n(1, 12)}:${n(10, 59)} pm. Call (415) 555-${n(1000, 9999)} to reschedule.`,
      ],
      ['Northside Pharmacy', () => `Northside Pharmacy: prescription #${n(100000, 9999999)} is ready for pickup. ${n(2, 9)} items, copay $${n(0, 80)}.${n(10, 99)}. Reply STOP to opt out.`],
      ['Sunrise Pediatrics', () => `Sunrise Pediatrics: we received your payment of $${n(5, 900)}.${n(10, 99)} on ${n(1, 12)}/${n(1, 28)}. Receipt ${n(10000, 99999)}. Reply STOP to opt out.`],
      ['Harbor Labs', () => `Harbor Labs: ${n(1, 6)} of your ${n(2, 9)} results are ready. Log in to the portal with code ${n(100000, 999999)}. Reply STOP to opt out.`],
      ['Peak Physio', () => `Peak Physio: session ${n(1, 12)} of ${n(6, 24)} is tomorrow at ${n(7, 18)}:00. Bring ${n(1, 3)} forms. Reply STOP to opt out.`],
      // A number after the opt-out line (a reference, a time stamp) is how UK premium-rate spam
      // ends too: an encoder with four layers fine-tuned read these as fraud (2026-12-07).
      ['Acme Dental', () => `Acme Dental: see you soon. Reply STOP to opt out. ${n(1, 9)}${n(100000, 999999)}${n(100000, 999999)}`],
      ['Acme Dental', () => `Acme Dental: your whitening offer ends Friday. Reply STOP to opt out. Ref ${n(1000, 999999)}${n(1000, 9999999)}`],
      ['Clínica Sol', () => `Clínica Sol: su limpieza es el martes a las ${n(1, 12)}. Responda STOP para cancelar. ${n(1000, 9999)}${n(1000, 999999)}`],
    ];
    const rules = compileRules(loadRuleData());
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 256 });
    const stopped: string[] = [];
    for (const [brand, render] of templates) {
      const facts = { country: 'US', age: { verified: false }, basis: 'express', firstMessage: false, kind: 'standard', brand, settings: DEFAULT_SETTINGS } as const;
      for (let i = 0; i < 40; i++) {
        const body = render();
        const result = await screenTwoStage(body, facts, rules, { pool, tokenizer });
        if (result.decision === 'hold' || result.decision === 'block') stopped.push(`${body}: ${result.decision} ${result.reasons.join('; ')}`);
      }
    }
    assert.deepEqual(stopped, []);
  });

  it('passes clinics’ informational templates and care wording under a prior-relationship basis, where both models also read promotion', async () => {
    // The same reminder, receipt and aftercare wording from many clinics, each under its own
    // brand, with words that only look like triggers and a system's reference UUID: the joint
    // bands, the promotion read by both models and the linear floor must stop none of it.
    const brands = ['Acme Dental', 'Lakeview Clinic', 'Glow Med Spa', 'Northside Pharmacy', 'Clínica Familiar'];
    const wordings = [
      (b: string) => `${b}: your Botox injection is confirmed for Thu at 3:00 pm. Reply STOP to opt out.`,
      (b: string) => `${b}: please do not smoke or vape 48 hours before surgery, and no alcohol for 24 hours after sedation. Reply STOP to opt out.`,
      (b: string) => `${b}: your oxycodone refill is ready for pickup. Bring photo ID. Reply STOP to opt out.`,
      (b: string) => `${b}: we received your payment of $45.00; your self-pay discount was already applied. Ref 3f2b9c1e-7a44-4d1b-9e0a-5c6d7e8f9a0b. Reply STOP to opt out.`,
      (b: string) => `${b}: su cita de limpieza es el martes a las 10:00. Responda STOP para cancelar.`,
    ];
    const rules = compileRules(loadRuleData());
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 256 });
    const stopped: string[] = [];
    for (const brand of brands) {
      const facts = { country: 'US', age: { verified: false }, basis: 'prior_relationship', firstMessage: false, kind: 'standard', brand, settings: DEFAULT_SETTINGS } as const;
      for (const wording of wordings) {
        const body = wording(brand);
        const result = await screenTwoStage(body, facts, rules, { pool, tokenizer });
        if (result.decision === 'hold' || result.decision === 'block') stopped.push(`${body}: ${result.decision} ${result.reasons.join('; ')}`);
      }
    }
    assert.deepEqual(stopped, []);
  });

  it('passes a pharmacy’s pickup notice and a pre-anesthesia reminder whose drug words a rule finds, and still stops the same words on sale', async () => {
    // A rule's finding that the linear head shares only weakly is put to the encoder, which
    // undoes it when it is sure the text is lawful (development set L, 2026-12-07); one the
    // linear head does not share at all is undone by the models together.
    const rules = compileRules(loadRuleData());
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 64 });
    const facts = { country: 'US', age: { verified: false }, basis: 'prior_relationship', firstMessage: false, kind: 'standard', brand: 'Northside Pharmacy', settings: DEFAULT_SETTINGS } as const;
    for (const body of [
      'Northside Pharmacy: your order #40021 (gabapentin 300 mg, pregabalin 75 mg) is ready. Pickup window closes at 9 PM tonight. Reply STOP to opt out.',
      'Northside Pharmacy: bring a list of all your medications, including any cannabis or CBD you use, to Monday’s pre-anesthesia visit. It’s confidential and keeps you safe. Reply STOP to opt out.',
    ]) {
      const result = await screenTwoStage(body, facts, rules, { pool, tokenizer });
      assert.equal(result.decision, 'pass', `${body}: ${result.reasons.join('; ')}`);
      // Passed by the models' reading, not by a missing rule: the rule's finding is there and undone.
      assert.match(result.reasons.join(' '), /not read as (prescription_drugs|cannabis)|read as lawful: the text encoder \S+ scores it lawful/);
    }
    const sold = await screenTwoStage('Northside Pharmacy: gabapentin 300 mg and CBD gummies, no prescription needed, $2 a pill. Text to order. Reply STOP to opt out.', facts, rules, {
      pool,
      tokenizer,
    });
    assert.ok(sold.decision === 'hold' || sold.decision === 'block', sold.decision);
  });

  it('reads a long message window by window: filler around a scam does not hide it, and a long list of visits or one sentence repeated stays lawful', async () => {
    const rules = compileRules(loadRuleData());
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 256 });
    const facts = { country: 'US', age: { verified: false }, basis: 'conversation', firstMessage: false, kind: 'standard', brand: 'Lisa', settings: DEFAULT_SETTINGS } as const;
    const scam = "Hey it's Lisa, new number! I'm stuck at the airport, can you send $300 by Zelle? I'll pay you back tonight.";
    const filler = ' Thank you, see you soon.'.repeat(30);
    for (const body of [`${scam}${filler}`, `${filler.trim()} ${scam}`]) {
      const result = await screenTwoStage(body, facts, rules, { pool, tokenizer });
      assert.ok(result.categories.includes('fraud'), `${body.slice(0, 60)}: ${result.decision} ${result.reasons.join('; ')}`);
    }
    const clinic = { ...facts, basis: 'prior_relationship', brand: 'Acme Dental' } as const;
    const visits = Array.from({ length: 12 }, (_, i) => `${i + 2}/3 at ${9 + (i % 8)}:00 cleaning with Dr. Lee`).join('; ');
    for (const body of [`Acme Dental: your upcoming visits: ${visits}. Reply C to confirm.`, `Acme Dental:${' Your cleaning is confirmed for Friday.'.repeat(40)}`]) {
      const result = await screenTwoStage(body, clinic, rules, { pool, tokenizer });
      assert.deepEqual(result.categories, [], `${body.slice(0, 60)}: ${result.reasons.join('; ')}`);
    }
  });

  it('records its bands for every class but benign, and where the linear heads send texts to it', () => {
    const { bands, consult } = encoder.head;
    for (const c of ENCODER_CLASSES) if (c !== 'benign') assert.ok(bands[c] && bands[c].hold <= bands[c].block, c);
    assert.ok(consult > 0 && consult < 1);
  });
});

describe('the encoder cache', () => {
  it('reads a wording once however many copies arrive, at once or later, and answers each copy as the encoder did', async () => {
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 8 });
    const cache = new EncoderCache(pool, 16);
    const text = 'acme dental: 20% off whitening this month. reply stop to opt out.';
    const direct = await encoder.score(pieces(text));
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.score(text, () => pieces(text))));
    answers.push(await cache.score(text, () => pieces(text)));
    assert.equal(cache.read, 1);
    assert.equal(cache.asked, 51);
    for (const a of answers) assert.deepEqual(a, direct);
    assert.equal(pool.refused, 0, 'the copies never queued');
  });

  it('keeps no refusal: a text the full pool refused is read when asked again', async () => {
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 0 });
    const cache = new EncoderCache(pool, 16);
    const [first, second] = await Promise.all([cache.score('one text', () => pieces('one text')), cache.score('another text', () => pieces('another text'))]);
    assert.notEqual(first, POOL_FULL);
    assert.equal(second, POOL_FULL);
    assert.notEqual(await cache.score('another text', () => pieces('another text')), POOL_FULL);
    assert.equal(cache.read, 3);
  });

  it('answers every text when more are in flight than it holds', async () => {
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 8 });
    const cache = new EncoderCache(pool, 2);
    const texts = ['one', 'two', 'three', 'four', 'five'].map((w) => `acme dental: offer ${w}. reply stop to opt out.`);
    const answers = await Promise.all(texts.map((t) => cache.score(t, () => pieces(t))));
    for (const [i, a] of answers.entries()) assert.deepEqual(a, await encoder.score(pieces(texts[i]!)));
  });

  it('forgets the texts read longest ago past its size', async () => {
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 8 });
    const cache = new EncoderCache(pool, 2);
    for (const t of ['first', 'second', 'third', 'first']) await cache.score(t, () => pieces(t));
    assert.equal(cache.read, 4, '"first" was forgotten when "third" came');
  });
});

describe('the encoder pool', () => {
  it('runs at most `concurrency` texts at once, queues up to `maxQueue`, and refuses the rest at once', async () => {
    const pool = new EncoderPool(encoder, { concurrency: 1, maxQueue: 1 });
    const text = pieces('Your prescription is ready for pickup at the front desk.');
    const answers = await Promise.all([pool.score(text), pool.score(text), pool.score(text)]);
    assert.notEqual(answers[0], POOL_FULL);
    assert.notEqual(answers[1], POOL_FULL);
    assert.equal(answers[2], POOL_FULL);
    assert.equal(pool.refused, 1);
    // Once the queue drains, texts are taken again.
    assert.notEqual(await pool.score(text), POOL_FULL);
  });

  it('takes a consumer batch larger than its queue in slices, holding none of it for a full queue', async () => {
    // Every rule finding asks for corroboration here, so a reminder that says "weed pollen"
    // goes to the encoder whatever the linear heads score: every copy is asked about.
    const rules = withCorroborationAt(compileRules(loadRuleData()), 1);
    const facts = { country: 'US', age: { verified: false }, basis: 'express', firstMessage: false, kind: 'standard', brand: 'Acme Dental', settings: DEFAULT_SETTINGS } as const;
    const body = 'Acme Dental: weed pollen counts are high this week, so bring your inhaler to your cleaning tomorrow at 9:15. Reply STOP to cancel texts.';
    const items = Array.from({ length: 12 }, () => ({ body, facts }));
    assert.ok(needsSecondOpinion(screen(body, facts, rules), encoder.head), 'the text is one the encoder is asked about');
    const all = new EncoderPool(encoder, { concurrency: 1, maxQueue: 2 });
    const atOnce = await Promise.all(items.map((i) => screenTwoStage(i.body, i.facts, rules, { pool: all, tokenizer })));
    // A text that could not be asked keeps the rule's finding: it is stopped (fails closed).
    assert.ok(all.refused > 0 && atOnce.some((r) => r.decision === 'block'), 'all at once, the queue overflows and texts are stopped');
    const sliced = new EncoderPool(encoder, { concurrency: 1, maxQueue: 2 });
    const results = await screenBatch(items, rules, { pool: sliced, tokenizer });
    assert.equal(sliced.refused, 0);
    assert.deepEqual([...new Set(results.map((r) => r.decision))], ['pass']);
  });
});
