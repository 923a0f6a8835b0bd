// npm run train:screening
// Trains the text model's heads on the project's corpus (corpus/) and the UCI ham rows,
// chooses each head's bands from 5-fold cross-validated scores, and writes the weights to
// src/rule-data/text-model.v1.json. Seeded: the same corpus gives the same file.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatTable, percent } from '../eval/metrics.js';
import { encodeWeights, loadTextModel, MODEL_HEADS, type TextModelFile } from '../../src/rules/model/text-model.js';
import { corpusDigest, headLabels, readCorpus, trainingTexts } from './corpus.js';
import { compileRules } from '../../src/rules/compile.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { analyse } from '../../src/rules/analyse.js';
import { partialEvidence, withCorroborationAt } from '../../src/rules/screen-message.js';
import { chooseAgreement, chooseBands, chooseCorroboration, crossValidate, foldsOf, headFigures } from './cross-validate.js';
import { exampleOf, trainHeads } from './ftrl.js';
import { stageOneFinder } from './stage-one.js';
import { BAND_TARGETS, CORROBORATION_MISS_RATE, FEATURES, FOLDS, OPTIONS } from './options.js';

const started = performance.now();
const entries = readCorpus();
const texts = trainingTexts(entries, OPTIONS.seed);
const labels = texts.map(headLabels);
const examples = texts.map((t, i) => exampleOf(t.text, FEATURES, labels[i]!));
console.log(`corpus: ${entries.length} written messages, ${texts.length} training texts with framed copies and UCI ham`);

const scores = crossValidate(examples, foldsOf(texts, FOLDS, OPTIONS.seed), FOLDS, FEATURES, OPTIONS);
const bands = chooseBands(texts, labels, scores, BAND_TARGETS);
const figures = headFigures(labels, scores, bands);
console.log(
  `\n${FOLDS}-fold cross-validated, at the chosen bands:\n${formatTable([
    ['head', 'positives', 'hold', 'block', 'precision@hold', 'recall@hold', 'fpr@hold', 'recall@block', 'fpr@block'],
    ...MODEL_HEADS.map((name, k) => {
      const f = figures[k]!;
      return [
        name,
        f.positives,
        bands[k]!.hold.toFixed(3),
        bands[k]!.block.toFixed(3),
        percent(f.precisionAtHold),
        percent(f.recallAtHold),
        percent(f.falsePositiveRateAtHold),
        percent(f.recallAtBlock),
        percent(f.falsePositiveRateAtBlock),
      ];
    }),
  ])}`,
);

// Which categories stage one's rules find in each text, needing a head's corroboration.
const stageOne = withCorroborationAt(compileRules(loadRuleData()), Number.POSITIVE_INFINITY);
const findIn = stageOneFinder();
const found = texts.map((t) => new Set([...findIn(t.text, t.useCase)].map((h) => MODEL_HEADS.indexOf(h))));
const corroboration = chooseCorroboration(texts, labels, scores, found, bands, CORROBORATION_MISS_RATE);
console.log(
  `\nwhat a rule's finding needs from the head (at most ${CORROBORATION_MISS_RATE * 100} % of the category's texts a rule finds below it), cross-validated:\n${formatTable([
    ['head', 'corroborate', 'found, of the category', 'below', 'found, lawful', 'below (wrong stops undone)'],
    ...MODEL_HEADS.map((name, k) => {
      const c = corroboration[k]!;
      return [name, c.corroborate.toFixed(3), c.positives, c.positivesBelow, c.lawful, c.lawfulBelow];
    }),
  ])}`,
);

// Where stage one saw part of a category (fraud or promotion signals short of the threshold),
// the head holds from a lower score: at most as many more lawful texts as its hold band allows.
const partial = texts.map((t) => {
  const analysis = analyse(t.text, stageOne);
  const heads = new Set<number>();
  MODEL_HEADS.forEach((name, k) => {
    if (partialEvidence(name, analysis, stageOne.data.lexicons)) heads.add(k);
  });
  return heads;
});
const agreement = chooseAgreement(texts, labels, scores, partial, bands, BAND_TARGETS.holdFalsePositiveRate, BAND_TARGETS.minHold);
console.log(
  `\nwhere stage one saw part of the category, the head holds from (at most ${BAND_TARGETS.holdFalsePositiveRate * 100} % of its lawful texts more), cross-validated:\n${formatTable([
    ['head', 'agree', 'hold', 'part seen, of the category', 'held at hold', 'held at agree', 'part seen, lawful', 'held at agree'],
    ...MODEL_HEADS.flatMap((name, k) => {
      const a = agreement[k]!;
      return a.positives + a.lawful === 0 ? [] : [[name, a.agree.toFixed(3), bands[k]!.hold.toFixed(3), a.positives, a.atHold, a.atAgree, a.lawful, a.lawfulAtAgree]];
    }),
  ])}`,
);

const trained = trainHeads(examples, MODEL_HEADS.length, FEATURES, OPTIONS);
const h = MODEL_HEADS.length;
const scales = MODEL_HEADS.map((_, k) => {
  let max = 0;
  for (let i = k; i < trained.weights.length; i += h) max = Math.max(max, Math.abs(trained.weights[i]!));
  return max > 0 ? max / 32767 : 1;
});
const digest = corpusDigest();
const file: TextModelFile = {
  version: `text-model.v3-${digest.slice(0, 12)}`,
  description: 'Logistic heads per category over hashed character 2-5-grams and word 1-2-grams of the normalised text; FTRL-Proximal; written by npm run train:screening, do not edit.',
  training: { corpusDigest: digest, examples: examples.length, options: { ...OPTIONS, folds: FOLDS, ...BAND_TARGETS, corroborationMissRate: CORROBORATION_MISS_RATE } },
  features: { hashBits: FEATURES.hashBits, charNgrams: FEATURES.charNgrams, wordNgrams: FEATURES.wordNgrams },
  heads: MODEL_HEADS.map((name, k) => ({
    name,
    bias: trained.bias[k]!,
    scale: scales[k]!,
    hold: bands[k]!.hold,
    block: bands[k]!.block,
    corroborate: corroboration[k]!.corroborate,
    agree: agreement[k]!.agree,
    cv: figures[k]!,
  })),
  weights: encodeWeights(trained.weights, h, scales),
};
loadTextModel(file); // the file must read back
const out = fileURLToPath(new URL('../../src/rule-data/text-model.v1.json', import.meta.url));
const json = `${JSON.stringify(file)}\n`;
writeFileSync(out, json);
console.log(
  `\n${file.weights.count} non-zero weights of ${trained.weights.length}; wrote ${out.replace(/^.*\/apps\//, 'apps/')} (${(json.length / 1024).toFixed(0)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
