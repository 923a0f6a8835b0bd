// npm run digest:screening [-- --lines]
// A fingerprint of every verdict stage one and the linear heads give (the text encoder left
// out): over the training corpus, our labeled sets, the public sets, the blind set and the
// calibration set, each text screened under the facts its set is evaluated with and under a
// few others (another basis, an unknown country, a verified age, the tenant settings that
// block). A change that is meant to leave every decision alone (a faster tokenizer, say) must
// print the same digest before and after. The blind and calibration sets are opaque input
// here: their texts are never printed, and nothing is tuned on this output.
// --lines prints one line per screening (set, text number, facts, SHA-256 of its verdict), to
// find which screening a changed digest comes from.
import type { TenantConfigEvent } from '@sms/contracts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envelopeOf, type ScreenInput } from '../cli/screen-line.js';
import { compileRules, type CompiledRules } from '../../src/rules/compile.js';
import { EncoderHeadFileSchema } from '../../src/rules/model/encoder-head.js';
import { modelDir } from '../../src/rules/model/encoder-input.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import {
  DEFAULT_SETTINGS,
  factsFromEnvelope,
  needsSecondOpinion,
  screen,
  verdictOf,
  type Finding,
  type ScreeningFacts,
  type ScreeningResult,
  type SecondOpinion,
} from '../../src/rules/screen-message.js';
import { readCorpus } from '../train/corpus.js';
import { readBlindSet } from './blind-set.js';
import { readCalibration } from './calibrate.js';
import { readLabeledSet } from './labeled-set.js';
import { readMendeley, readUci } from './public-sets.js';

const evalFile = (path: string): string => fileURLToPath(new URL(`../../eval/${path}`, import.meta.url));

/** A text and the facts its set is evaluated with. */
interface Case {
  body: string;
  facts: ScreeningFacts;
}

const US_NUMBER = '+14155552671';
const tenant = { settings: DEFAULT_SETTINGS } as TenantConfigEvent;
const factsOf = (input: ScreenInput): ScreeningFacts => {
  const facts = factsFromEnvelope(envelopeOf(input), tenant);
  if (input.ageVerified === true) facts.age = { verified: true };
  return facts;
};
const asInput = (id: string, body: string, useCase: ScreenInput['useCase'], brand: string): ScreenInput => ({ id, body, to: US_NUMBER, useCase, brand, firstMessage: true });
const conversation: ScreeningFacts = { country: 'US', age: { verified: false }, basis: 'conversation', firstMessage: false, kind: 'standard', brand: 'Acme Dental', settings: DEFAULT_SETTINGS };

/** Each set as the evaluation (or, for the corpus, the training) reads it. */
function sets(): [string, Case[]][] {
  return [
    ['corpus', readCorpus().map((e, i) => ({ body: e.text, facts: factsOf(asInput(`c${i}`, e.text, e.useCase, e.brand ?? 'Acme Dental')) }))],
    ['labeled-base', readLabeledSet(evalFile('data/labeled-base.v1.jsonl')).map((c) => ({ body: c.body, facts: factsOf(c) }))],
    ['labeled', readLabeledSet(evalFile('data/labeled.v1.jsonl')).map((c) => ({ body: c.body, facts: factsOf(c) }))],
    ['uci', readUci(evalFile('data/uci_SMSSpamCollection.tsv')).map((r) => ({ body: r.text, facts: conversation }))],
    ['mendeley', readMendeley(evalFile('data/mendeley_smishing_Dataset_5971.csv')).map((r) => ({ body: r.text, facts: conversation }))],
    ['blind', readBlindSet(evalFile('blind/blind.v1.jsonl')).map((c) => ({ body: c.body, facts: factsOf(asInput(c.id, c.body, c.useCase, c.brand)) }))],
    ['calibration', readCalibration().map((c) => ({ body: c.body, facts: factsOf(asInput(c.id, c.body, c.useCase, c.brand)) }))],
  ];
}

/** Other facts every text is also screened under, so that every branch of the decision is covered. */
const VARIANTS: [string, (facts: ScreeningFacts) => ScreeningFacts][] = [
  ['own', (f) => f],
  ['prior-relationship, unknown country', (f) => ({ ...f, country: 'ZZ', region: undefined, basis: 'prior_relationship', firstMessage: true })],
  [
    'express, CA-QC, verified age 19, blocking settings',
    (f) => ({
      ...f,
      country: 'CA',
      region: 'QC',
      age: { verified: true, years: 19 },
      basis: 'express',
      settings: { missingOptOutLanguage: 'block', missingSenderId: 'block', publicUrlShortener: 'block' },
    }),
  ],
];

const evidenceOf = (e: ScreeningResult['evidence'][number]): unknown[] => [e.category, e.text, e.start, e.end, e.normalisation, e.note ?? null];
const findingOf = (f: Finding): unknown[] => [f.category, f.action, f.clauses, f.reason, f.evidence.map(evidenceOf), f.byModel ?? false];

/** Everything a screening says, in a fixed order (so that a refactoring that reorders an object's keys changes nothing), and the verdict as it is published. */
function fingerprint(result: ScreeningResult, rules: CompiledRules): string {
  const t = result.transform;
  const fields = [
    result.decision,
    result.categories,
    result.clauses,
    result.reasons,
    result.findings.map(findingOf),
    result.evidence.map(evidenceOf),
    t ? [t.kind, t.text, t.description] : null,
    result.body,
    result.pack,
    result.fraudScore,
    result.fraudSignals,
    Object.entries(result.modelScores),
    result.consultScore,
  ];
  return `${JSON.stringify(fields)}\n${JSON.stringify(verdictOf(result, rules, new Date(0)))}`;
}

const rules = compileRules(loadRuleData());
// The encoder is left out, but the decision's path for an encoder that could not be asked
// (a full queue: the text is held) needs only its head file, and is covered too.
const head = EncoderHeadFileSchema.parse(JSON.parse(readFileSync(`${modelDir()}text-encoder-head.json`, 'utf8')));
const unavailable: SecondOpinion = { head, unavailable: 'its queue is full' };
const lines = process.argv.includes('--lines');
const started = performance.now();
const all = createHash('sha256');
let screenings = 0;
for (const [name, cases] of sets()) {
  const digest = createHash('sha256');
  const decisions = new Map<string, number>();
  let asked = 0;
  cases.forEach((c, i) => {
    for (const [variant, factsFor] of VARIANTS) {
      const facts = factsFor(c.facts);
      const result = screen(c.body, facts, rules);
      const screened = [fingerprint(result, rules)];
      if (variant === 'own') decisions.set(result.decision, (decisions.get(result.decision) ?? 0) + 1);
      if (needsSecondOpinion(result, head)) {
        if (variant === 'own') asked++;
        screened.push(fingerprint(screen(c.body, facts, rules, unavailable), rules));
      }
      const text = `${name}\t${i}\t${variant}\n${screened.join('\n')}\n`;
      digest.update(text);
      all.update(text);
      screenings += screened.length;
      if (lines) console.log(`${name}\t${i}\t${variant}\t${createHash('sha256').update(text).digest('hex')}`);
    }
  });
  const counts = [...decisions]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([d, n]) => `${d} ${n}`)
    .join(', ');
  if (!lines) console.log(`${name.padEnd(12)} ${String(cases.length).padStart(5)} texts (${counts}; ${asked} would ask the encoder)  ${digest.digest('hex')}`);
}
console.log(`all: ${screenings} screenings in ${((performance.now() - started) / 1000).toFixed(1)} s, rules ${rules.version}, text model ${rules.model.version}\nsha256 ${all.digest('hex')}`);
