import { type Random } from '@sms/util';
import { ENCODER_CLASSES, type EncoderClass } from '../../src/rules/model/encoder-head.js';
import { readCorpus, trainingTexts, type TrainingText } from './corpus.js';
import { foldsOf } from './cross-validate.js';

/**
 * The text encoder's training texts: the same as the linear heads' (corpus, framed copies,
 * UCI ham), with a seeded seventh of the written messages held out to choose the bands.
 */
export const ENCODER_SEED = 20261206;
const HELD_OUT_FOLDS = 7;

/** Promotion is one class whether it is lawful marketing or slipped into an informational text. */
export function encoderClassOf(text: Pick<TrainingText, 'label' | 'useCase'>): EncoderClass {
  if (text.label === 'benign') return text.useCase === 'marketing' ? 'promotional' : 'benign';
  return text.label;
}

export interface EncoderSet {
  texts: TrainingText[];
  classes: number[];
  heldOut: boolean[];
}

export function encoderSet(): EncoderSet {
  const texts = trainingTexts(readCorpus(), ENCODER_SEED);
  const fold = foldsOf(texts, HELD_OUT_FOLDS, ENCODER_SEED);
  return { texts, classes: texts.map((t) => ENCODER_CLASSES.indexOf(encoderClassOf(t))), heldOut: Array.from(fold, (f) => f === 0) };
}

/**
 * The text with every run of digits replaced by a random number of one to four digits. The
 * platform's templates go out with every time, amount and count, so a lawful text must stay
 * lawful whatever its numbers: the encoder learns from such renderings and its bands are chosen
 * on them.
 */
export function withOtherNumbers(text: string, random: Random): string {
  return text.replace(/\d+/g, () => String(Math.floor(random() * 10 ** (1 + Math.floor(random() * 4)))));
}

/** The share of training texts, of every class, learnt once more with a number after them. */
export const NUMBER_AFTER_SHARE = 1 / 8;

/**
 * The text with a number of four to thirteen digits after it, sometimes as a reference. Senders
 * put references and time stamps after the opt-out line; UK premium-rate spam in UCI ends in
 * long numbers too, so an encoder that only saw those learns that a trailing number means spam
 * (thirteenth round: four fine-tuned layers read "… Reply STOP to opt out. 1733582000000" as
 * fraud). Learnt on texts of every class, the number carries no class.
 */
export function withNumberAfter(text: string, random: Random): string {
  const digits = 4 + Math.floor(random() * 10);
  const number = String(Math.floor(10 ** (digits - 1) * (1 + random() * 9)));
  return `${text}${random() < 0.3 ? ' Ref ' : ' '}${number}`;
}
