import { seededRandom, shuffle } from '@sms/util';
import type { FeatureSpec } from '../../src/rules/model/features.js';
import { MODEL_HEADS } from '../../src/rules/model/text-model.js';
import { IGNORED, NEGATIVE, POSITIVE, predict, trainHeads, type Example, type TrainOptions, type TrainedHeads } from './ftrl.js';
import type { TrainingText } from './corpus.js';

/** Folds by group: the copies of one written message (bare and framed) always fall in the same fold. */
export function foldsOf(texts: readonly TrainingText[], folds: number, seed: number): Uint8Array {
  const groups = [...new Set(texts.map((t) => t.group))];
  shuffle(groups, seededRandom(seed));
  const foldOfGroup = new Map(groups.map((g, i) => [g, i % folds]));
  return Uint8Array.from(texts, (t) => foldOfGroup.get(t.group)!);
}

/** Out-of-fold scores: each text scored by heads trained on the other folds. */
export function crossValidate(
  examples: readonly Example[],
  fold: Uint8Array,
  folds: number,
  spec: FeatureSpec,
  options: TrainOptions,
  onFold?: (fold: number, trained: TrainedHeads) => void,
): Float64Array[] {
  const h = MODEL_HEADS.length;
  const scores = examples.map(() => new Float64Array(h));
  for (let f = 0; f < folds; f++) {
    const train = examples.filter((_, i) => fold[i] !== f);
    const trained = trainHeads(train, h, spec, options);
    onFold?.(f, trained);
    examples.forEach((example, i) => {
      if (fold[i] !== f) return;
      for (let k = 0; k < h; k++) scores[i]![k] = predict(trained, h, example, k);
    });
  }
  return scores;
}

export interface Bands {
  hold: number;
  block: number;
}

export interface BandTargets {
  /** Largest share of the head's lawful negatives that may reach the hold band. */
  holdFalsePositiveRate: number;
  /** Likewise for the block band. */
  blockFalsePositiveRate: number;
  minHold: number;
  minBlock: number;
}

/** The lowest score whose share of negatives at or above it stays within the rate. */
export function thresholdAt(negatives: number[], rate: number, floor: number): number {
  const sorted = [...negatives].sort((a, b) => b - a);
  const allowed = Math.floor(rate * sorted.length);
  // Just above the first negative that would exceed the allowance.
  const edge = sorted[allowed];
  return Math.max(floor, edge === undefined ? 0 : Math.min(0.999, edge + 1e-6));
}

/** Bands per head from out-of-fold scores: negatives are the lawful texts (label benign) the head must leave alone. */
export function chooseBands(texts: readonly TrainingText[], labels: readonly Uint8Array[], scores: readonly Float64Array[], targets: BandTargets): Bands[] {
  return MODEL_HEADS.map((_, k) => {
    const negatives: number[] = [];
    texts.forEach((t, i) => {
      if (labels[i]![k] === NEGATIVE && (t.label === 'benign' || MODEL_HEADS[k] === 'promotional')) negatives.push(scores[i]![k]!);
    });
    const hold = thresholdAt(negatives, targets.holdFalsePositiveRate, targets.minHold);
    const block = Math.max(hold, thresholdAt(negatives, targets.blockFalsePositiveRate, targets.minBlock));
    return { hold, block };
  });
}

export interface HeadFigures {
  positives: number;
  precisionAtHold: number;
  recallAtHold: number;
  falsePositiveRateAtHold: number;
  recallAtBlock: number;
  falsePositiveRateAtBlock: number;
}

/** Cross-validated figures of each head at its bands. */
export function headFigures(labels: readonly Uint8Array[], scores: readonly Float64Array[], bands: readonly Bands[]): HeadFigures[] {
  return MODEL_HEADS.map((_, k) => {
    let positives = 0;
    let negatives = 0;
    let tpHold = 0;
    let fpHold = 0;
    let tpBlock = 0;
    let fpBlock = 0;
    labels.forEach((label, i) => {
      const s = scores[i]![k]!;
      if (label[k] === IGNORED) return;
      if (label[k] === POSITIVE) {
        positives++;
        if (s >= bands[k]!.hold) tpHold++;
        if (s >= bands[k]!.block) tpBlock++;
      } else {
        negatives++;
        if (s >= bands[k]!.hold) fpHold++;
        if (s >= bands[k]!.block) fpBlock++;
      }
    });
    const round = (x: number): number => Math.round(x * 10000) / 10000;
    return {
      positives,
      precisionAtHold: round(tpHold + fpHold === 0 ? 0 : tpHold / (tpHold + fpHold)),
      recallAtHold: round(positives === 0 ? 0 : tpHold / positives),
      falsePositiveRateAtHold: round(negatives === 0 ? 0 : fpHold / negatives),
      recallAtBlock: round(positives === 0 ? 0 : tpBlock / positives),
      falsePositiveRateAtBlock: round(negatives === 0 ? 0 : fpBlock / negatives),
    };
  });
}

export interface Corroboration {
  corroborate: number;
  /** Texts of the head's category that a rule finds (out-of-fold scores), and of them those below `corroborate`. */
  positives: number;
  positivesBelow: number;
  /** Lawful texts that a rule finds, and of them those below `corroborate` (a rule's wrong stop undone). */
  lawful: number;
  lawfulBelow: number;
}

/**
 * The score each head asks of a rule's finding of its category: the highest that leaves at
 * least 1 - `missRate` of the category's texts that a rule finds stopped (out-of-fold scores),
 * never above the head's hold band. `found[i]` holds the heads whose category a rule found in text i.
 */
export function chooseCorroboration(
  texts: readonly TrainingText[],
  labels: readonly Uint8Array[],
  scores: readonly Float64Array[],
  found: readonly ReadonlySet<number>[],
  bands: readonly Bands[],
  missRate: number,
): Corroboration[] {
  return MODEL_HEADS.map((_, k) => {
    const positives: number[] = [];
    const lawful: number[] = [];
    texts.forEach((t, i) => {
      if (!found[i]!.has(k)) return;
      if (labels[i]![k] === POSITIVE) positives.push(scores[i]![k]!);
      else if (t.label === 'benign') lawful.push(scores[i]![k]!);
    });
    positives.sort((a, b) => a - b);
    const corroborate = positives.length === 0 ? 0 : Math.min(bands[k]!.hold, positives[Math.floor(missRate * positives.length)]!);
    return {
      corroborate,
      positives: positives.length,
      positivesBelow: positives.filter((s) => s < corroborate).length,
      lawful: lawful.length,
      lawfulBelow: lawful.filter((s) => s < corroborate).length,
    };
  });
}

export interface Agreement {
  agree: number;
  /** Texts of the category in which stage one saw part of its evidence, held at the hold band and at `agree`. */
  positives: number;
  atHold: number;
  atAgree: number;
  /** Lawful texts with part of the evidence, and of them those held at `agree`. */
  lawful: number;
  lawfulAtAgree: number;
}

/**
 * The score from which each head holds a text in which stage one saw part of its category
 * (`partial[i]` holds those heads for text i): the lowest that holds at most `rate` of all the
 * head's lawful texts (as `chooseBands` counts them) among those with part of the evidence,
 * never below `floor` nor above the hold band. A head for which stage one sees no part keeps its
 * hold band.
 */
export function chooseAgreement(
  texts: readonly TrainingText[],
  labels: readonly Uint8Array[],
  scores: readonly Float64Array[],
  partial: readonly ReadonlySet<number>[],
  bands: readonly Bands[],
  rate: number,
  floor: number,
): Agreement[] {
  return MODEL_HEADS.map((_, k) => {
    let lawfulAll = 0;
    const lawful: number[] = [];
    const positives: number[] = [];
    texts.forEach((t, i) => {
      if (labels[i]![k] === POSITIVE) {
        if (partial[i]!.has(k)) positives.push(scores[i]![k]!);
      } else if (labels[i]![k] === NEGATIVE && (t.label === 'benign' || MODEL_HEADS[k] === 'promotional')) {
        lawfulAll++;
        if (partial[i]!.has(k)) lawful.push(scores[i]![k]!);
      }
    });
    const hold = bands[k]!.hold;
    const agree = lawful.length === 0 ? hold : Math.min(hold, thresholdAt(lawful, (rate * lawfulAll) / lawful.length, floor));
    return {
      agree,
      positives: positives.length,
      atHold: positives.filter((x) => x >= hold).length,
      atAgree: positives.filter((x) => x >= agree).length,
      lawful: lawful.length,
      lawfulAtAgree: lawful.filter((x) => x >= agree).length,
    };
  });
}
