// npm run train:screening
// Trains the text model's heads on the project's corpus (corpus/) and the UCI ham rows,
// chooses each head's bands from 5-fold cross-validated scores, and writes the weights to
// src/rule-data/text-model.v1.json. Seeded: the same corpus gives the same file.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatTable, percent } from '../eval/metrics.js';
import { encodeWeights, loadTextModel, MODEL_HEADS, type TextModelFile } from '../../src/rules/model/text-model.js';
import { corpusDigest, headLabels, readCorpus, trainingTexts } from './corpus.js';
import { chooseBands, crossValidate, foldsOf, headFigures } from './cross-validate.js';
import { exampleOf, trainHeads } from './ftrl.js';
import { BAND_TARGETS, FEATURES, FOLDS, OPTIONS } from './options.js';

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

const trained = trainHeads(examples, MODEL_HEADS.length, FEATURES, OPTIONS);
const h = MODEL_HEADS.length;
const scales = MODEL_HEADS.map((_, k) => {
  let max = 0;
  for (let i = k; i < trained.weights.length; i += h) max = Math.max(max, Math.abs(trained.weights[i]!));
  return max > 0 ? max / 32767 : 1;
});
const digest = corpusDigest();
const file: TextModelFile = {
  version: `text-model.v1-${digest.slice(0, 12)}`,
  description: 'Logistic heads per category over hashed character 2-5-grams and word 1-2-grams of the normalised text; FTRL-Proximal; written by npm run train:screening, do not edit.',
  training: { corpusDigest: digest, examples: examples.length, options: { ...OPTIONS, folds: FOLDS, ...BAND_TARGETS } },
  features: { hashBits: FEATURES.hashBits, charNgrams: FEATURES.charNgrams, wordNgrams: FEATURES.wordNgrams },
  heads: MODEL_HEADS.map((name, k) => ({ name, bias: trained.bias[k]!, scale: scales[k]!, hold: bands[k]!.hold, block: bands[k]!.block, cv: figures[k]! })),
  weights: encodeWeights(trained.weights, h, scales),
};
loadTextModel(file); // the file must read back
const out = fileURLToPath(new URL('../../src/rule-data/text-model.v1.json', import.meta.url));
const json = `${JSON.stringify(file)}\n`;
writeFileSync(out, json);
console.log(
  `\n${file.weights.count} non-zero weights of ${trained.weights.length}; wrote ${out.replace(/^.*\/apps\//, 'apps/')} (${(json.length / 1024).toFixed(0)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
