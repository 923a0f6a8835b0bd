import { ENCODER_CLASSES, type EncoderScores } from '../rules/model/encoder-head.js';
import type { SecondOpinion } from '../rules/screen-message.js';

/** An encoder head for tests: every class holds from 0.6 and blocks from 0.9. */
export const testEncoderHead = { version: 'text-encoder.test', bands: Object.fromEntries(ENCODER_CLASSES.filter((c) => c !== 'benign').map((c) => [c, { hold: 0.6, block: 0.9 }])) };

/** The encoder's opinion given as data: `p` for `top`, the rest shared by the other classes. */
export const opinion = (top: keyof EncoderScores, p: number): SecondOpinion => ({
  head: testEncoderHead,
  scores: Object.fromEntries(ENCODER_CLASSES.map((c) => [c, c === top ? p : (1 - p) / (ENCODER_CLASSES.length - 1)])) as EncoderScores,
});
