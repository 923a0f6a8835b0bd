import type { FeatureSpec } from '../../src/rules/model/features.js';
import type { BandTargets } from './cross-validate.js';
import type { TrainOptions } from './ftrl.js';

/** The linear heads' features and training, shared by `npm run train:screening` and the encoder's band choice. */
export const FEATURES: FeatureSpec = { hashBits: 18, charNgrams: [2, 5], wordNgrams: [1, 2] };
export const OPTIONS: TrainOptions = { alpha: 4, beta: 1, l1: 0.3, l2: 0.01, epochs: 6, seed: 20261204, positiveWeight: 4 };
export const FOLDS = 5;
// A head may hold at most 1 in 2,000 lawful texts and block at most 1 in 5,000 of them, as cross-validation sees it.
export const BAND_TARGETS: BandTargets = { holdFalsePositiveRate: 0.0005, blockFalsePositiveRate: 0.0002, minHold: 0.5, minBlock: 0.85 };
// A rule's finding of a category needs its head's score: at most 1 in 200 of the corpus's texts of the category that a rule finds may score below it.
export const CORROBORATION_MISS_RATE = 0.005;
