import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bandKeys, estimateJaccard, fingerprint, hash32, minhash, TextRules, tokenize } from './fingerprint.js';
import { loadSnowshoeRules, loadTextNormalisation } from './rule-data.js';

const rules = loadSnowshoeRules();
const text = new TextRules(loadTextNormalisation());
const fp = (body: string) => fingerprint(body, text, rules.similarity);
const contains = (a: number[], b: number[]) => a.filter((t) => b.includes(t)).length / a.length;

describe('template fingerprint', () => {
  const reminder = (name: string, date: string, time: string, link: string) =>
    `Hi ${name}, this is Brightside Dental: your cleaning is on ${date} at ${time}. Pay $${date.length}0.50 at ${link} or call (415) 555-0100. Code ${name.length}X7Q2. Reply STOP to opt out.`;

  it('is the same for personalised copies: names, dates, times, amounts, codes and link paths vary', () => {
    const a = fp(reminder('Sarah', 'Dec 5', '9:30', 'https://brightside.example/pay/8f3a?u=1'));
    const b = fp(reminder('Mohammed', 'Monday 12/14', '3pm', 'brightside.example/p/zz91'));
    assert.equal(a.template, b.template);
  });

  it('is the same whatever the case, spacing, invisible and look-alike characters', () => {
    const plain = fp('Claim your free whitening kit at our Oakwood office this week. Reply STOP to opt out.');
    const disguised = fp('CLAIM  yоur frее\u200b whitening kit at оur Oakwood\u00a0office this wеek!!! Reply STOP to opt out.');
    const fullwidth = fp('Ｃｌａｉｍ your free whitening kit at our Oakwood office this week. Reply STOP to opt out.');
    assert.equal(disguised.template, plain.template);
    assert.equal(fullwidth.template, plain.template);
  });

  it('leaves out the standard opt-out and help wording', () => {
    const bare = fp('Oakwood Family Clinic: flu shots are in, book online or call us today');
    const withFooter = fp('Oakwood Family Clinic: flu shots are in, book online or call us today. Msg & data rates may apply. Reply HELP for help, reply STOP to unsubscribe.');
    assert.equal(withFooter.template, bare.template);
  });

  it('leaves out opt-out instructions as the shared opt-out wording reads them, in any language and with a short code', () => {
    const bare = fp('Oakwood Family Clinic: flu shots are in, book online or call us today');
    for (const wording of ['Txt STOP to 85069 to unsubscribe', 'STOP to end', 'Msg QUIT to opt out', 'Responda STOP para no recibir', 'Responde ALTO para cancelar']) {
      assert.equal(fp(`Oakwood Family Clinic: flu shots are in, book online or call us today. ${wording}.`).template, bare.template, wording);
    }
    assert.notEqual(fp('Oakwood Family Clinic: flu shots are in, book online or call us today. Text NOPE to quit.').template, bare.template, 'an invented keyword is no boilerplate');
  });

  it('differs for different content, and keeps the link host', () => {
    assert.notEqual(
      fp('Oakwood Family Clinic: flu shots are in, book online at oakwood.example/flu').template,
      fp('Oakwood Family Clinic: flu shots are in, book online at 0akwood-deals.example/flu').template,
    );
    assert.notEqual(fp('Your cleaning is tomorrow').template, fp('Your filling is tomorrow').template);
  });

  it('masks variable parts as one token and the word after a greeting as a name', () => {
    assert.deepEqual(tokenize('Hello Priya, 20% off until 12/05 at 9:30 am', text), ['hello', '#', 'off', 'until', '#', 'at', '#']);
  });
});

describe('near-duplicates (MinHash with LSH, verified by vocabulary)', () => {
  it('has no signature for texts too short to compare', () => {
    const short = fp('Acme Dental: offer. Reply STOP to opt out.');
    assert.deepEqual(short.tokens(), []);
    assert.equal(short.signature(), null);
    assert.deepEqual(short.bands(), []);
  });

  it('gives reordered words the same signature', () => {
    const a = fp('Get your complimentary teeth whitening kit today from Lucky Smile rewards club');
    const b = fp('From Lucky Smile rewards club: today get your teeth whitening kit complimentary');
    assert.deepEqual(a.signature(), b.signature());
    assert.deepEqual(a.bands(), b.bands());
  });

  it('keeps spun copies mostly inside one vocabulary, and unrelated texts outside it', () => {
    const spins = [
      'Hi Sarah, claim your free teeth whitening kit worth $90 today. Limited stock, tap link to redeem it.',
      'Hello John, grab your complimentary teeth whitening kit valued at $120 now. Only a few left, click link to claim it.',
      'Hey Li, get your bonus teeth whitening kit worth $75 this week. Supplies are limited, visit link to get it.',
    ];
    const vocabulary = [...new Set(spins.slice(0, 2).flatMap((s) => fp(s).tokens()))];
    assert.ok(contains(fp(spins[2]!).tokens(), vocabulary) >= 0.5, 'a third spin reuses the vocabulary of the first two');
    const other = fp('Oakwood Family Clinic reminder: please arrive ten minutes early for your appointment with the nurse');
    assert.ok(contains(other.tokens(), vocabulary) < 0.2, 'an unrelated message does not');
  });

  it('estimates Jaccard similarity within the MinHash error bound', () => {
    // Sets with a known Jaccard similarity: |A∩B| = 60, |A∪B| = 150, J = 0.4.
    const shared = Array.from({ length: 60 }, (_, i) => hash32(`shared-${i}`));
    const a = [...shared, ...Array.from({ length: 45 }, (_, i) => hash32(`a-${i}`))];
    const b = [...shared, ...Array.from({ length: 45 }, (_, i) => hash32(`b-${i}`))];
    const k = rules.similarity.hashes;
    const estimate = estimateJaccard(minhash(a, k), minhash(b, k));
    const sigma = Math.sqrt((0.4 * 0.6) / k);
    assert.ok(Math.abs(estimate - 0.4) < 4 * sigma, `estimate ${estimate} within 4 standard errors (${(4 * sigma).toFixed(3)}) of 0.4`);
  });

  it('puts similar sets in a shared LSH band and dissimilar ones rarely', () => {
    const { bands, rows, hashes } = rules.similarity;
    let similar = 0;
    let dissimilar = 0;
    for (let trial = 0; trial < 50; trial++) {
      const base = Array.from({ length: 14 }, (_, i) => hash32(`t${trial}-${i}`));
      const near = [...base.slice(0, 12), hash32(`x${trial}`), hash32(`y${trial}`)]; // J = 12/16 = 0.75
      const far = [...base.slice(0, 2), ...Array.from({ length: 12 }, (_, i) => hash32(`f${trial}-${i}`))]; // J = 2/26
      const keys = new Set(bandKeys(minhash(base, hashes), bands, rows));
      if (bandKeys(minhash(near, hashes), bands, rows).some((b) => keys.has(b))) similar++;
      if (bandKeys(minhash(far, hashes), bands, rows).some((b) => keys.has(b))) dissimilar++;
    }
    assert.ok(similar >= 49, `similar pairs collided ${similar}/50`);
    assert.ok(dissimilar <= 5, `dissimilar pairs collided ${dissimilar}/50`);
  });
});
