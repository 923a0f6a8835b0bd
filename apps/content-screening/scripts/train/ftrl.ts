import { seededRandom, shuffle } from '@sms/util';
import { normalise } from '../../src/rules/normalise.js';
import { forEachFeature, type FeatureSpec } from '../../src/rules/model/features.js';

/**
 * Training of the text model's heads: logistic regression by FTRL-Proximal (McMahan et al.,
 * "Ad Click Prediction: a View from the Trenches", KDD 2013), one head per category over
 * the same hashed features. Its L1 term leaves most of the 2^18 slots at exactly zero, so the
 * shipped weights stay small; the per-coordinate learning rates suit sparse n-grams.
 */

export const POSITIVE = 1;
export const NEGATIVE = 0;
/** The example says nothing about this head (a cannabis offer is neither promotional nor not, for the promotional head). */
export const IGNORED = 2;

export interface Example {
  /** Distinct slots of the text and their length-normalised counts. */
  slots: Uint32Array;
  values: Float32Array;
  /** Per head: POSITIVE, NEGATIVE or IGNORED. */
  labels: Uint8Array;
}

export interface TrainOptions {
  alpha: number;
  beta: number;
  l1: number;
  l2: number;
  epochs: number;
  seed: number;
  /** Weight of a positive example relative to a negative one. */
  positiveWeight: number;
}

export interface TrainedHeads {
  /** Slot-major, as the model file stores them. */
  weights: Float32Array;
  bias: Float64Array;
}

/** The features of one text as a training example: each distinct slot with count / sqrt(occurrences). */
export function exampleOf(text: string, spec: FeatureSpec, labels: Uint8Array): Example {
  const counts = new Map<number, number>();
  const total = forEachFeature(normalise(text), spec, (slot) => counts.set(slot, (counts.get(slot) ?? 0) + 1));
  const norm = total > 0 ? 1 / Math.sqrt(total) : 0;
  const slots = new Uint32Array(counts.size);
  const values = new Float32Array(counts.size);
  let i = 0;
  for (const [slot, count] of counts) {
    slots[i] = slot;
    values[i++] = count * norm;
  }
  return { slots, values, labels };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, x))));

/** Trains every head over the examples; the same examples, options and seed give the same weights. */
export function trainHeads(examples: readonly Example[], heads: number, spec: FeatureSpec, options: TrainOptions): TrainedHeads {
  const size = (1 << spec.hashBits) * heads;
  const z = new Float64Array(size);
  const n = new Float64Array(size);
  const zBias = new Float64Array(heads);
  const nBias = new Float64Array(heads);
  const { alpha, beta, l1, l2 } = options;
  const weightOf = (zi: number, ni: number): number => (Math.abs(zi) <= l1 ? 0 : -(zi - Math.sign(zi) * l1) / ((beta + Math.sqrt(ni)) / alpha + l2));
  const biasOf = (k: number): number => -zBias[k]! / ((beta + Math.sqrt(nBias[k]!)) / alpha);
  const order = examples.map((_, i) => i);
  const random = seededRandom(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const index of order) {
      const { slots, values, labels } = examples[index]!;
      for (let k = 0; k < heads; k++) {
        const label = labels[k]!;
        if (label === IGNORED) continue;
        let dot = biasOf(k);
        for (let j = 0; j < slots.length; j++) {
          const i = slots[j]! * heads + k;
          const w = weightOf(z[i]!, n[i]!);
          if (w !== 0) dot += w * values[j]!;
        }
        const g = (sigmoid(dot) - label) * (label === POSITIVE ? options.positiveWeight : 1);
        for (let j = 0; j < slots.length; j++) {
          const i = slots[j]! * heads + k;
          const gi = g * values[j]!;
          const ni = n[i]!;
          const sigma = (Math.sqrt(ni + gi * gi) - Math.sqrt(ni)) / alpha;
          z[i] = z[i]! + gi - sigma * weightOf(z[i]!, ni);
          n[i] = ni + gi * gi;
        }
        const b = biasOf(k);
        const sigmaB = (Math.sqrt(nBias[k]! + g * g) - Math.sqrt(nBias[k]!)) / alpha;
        zBias[k] = zBias[k]! + g - sigmaB * b;
        nBias[k] = nBias[k]! + g * g;
      }
    }
  }
  const weights = new Float32Array(size);
  for (let i = 0; i < size; i++) weights[i] = weightOf(z[i]!, n[i]!);
  const bias = new Float64Array(heads);
  for (let k = 0; k < heads; k++) bias[k] = biasOf(k);
  return { weights, bias };
}

/** A trained head's probability for one example (training and cross-validation only). */
export function predict(trained: TrainedHeads, heads: number, example: Example, head: number): number {
  let dot = trained.bias[head]!;
  for (let j = 0; j < example.slots.length; j++) dot += trained.weights[example.slots[j]! * heads + head]! * example.values[j]!;
  return sigmoid(dot);
}
