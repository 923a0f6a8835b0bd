import { z } from 'zod';
import { MODEL_HEADS } from './text-model.js';

/**
 * The text encoder's head file (model/text-encoder-head.json) and what the pure screening
 * needs to know of the encoder: its classes, bands and when it is asked. The encoder itself
 * (onnxruntime) is in text-encoder.ts.
 */

/** The encoder's classes: lawful text that promotes nothing, and one class per head. */
export const ENCODER_CLASSES = ['benign', ...MODEL_HEADS] as const;
export type EncoderClass = (typeof ENCODER_CLASSES)[number];

const Band = z.number().min(0).max(1);
export const EncoderHeadFileSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  base: z.strictObject({ model: z.string(), source: z.string(), licence: z.string() }),
  classes: z.array(z.enum(ENCODER_CLASSES)).length(ENCODER_CLASSES.length),
  /** One row of hidden-size weights per class. */
  weights: z.array(z.array(z.number())),
  bias: z.array(z.number()),
  /**
   * Per class but benign: from `hold` a hold for review, from `block` the category's outcome;
   * from `corroborate` (at most `hold`; `hold` when absent) it confirms a finding of its class by
   * stage one's rules, which the linear head did not; from `joint`, the geometric mean of the
   * encoder's and the linear head's scores, it holds a text that neither holds alone.
   */
  bands: z.record(z.string(), z.strictObject({ hold: Band, block: Band, corroborate: Band.optional(), joint: Band.optional() })),
  /** When the linear heads send a text to the encoder: any head at or above this score. */
  consult: Band,
  training: z.record(z.string(), z.unknown()),
  heldOut: z.record(z.string(), z.unknown()).optional(),
});
export type EncoderHeadFile = z.infer<typeof EncoderHeadFileSchema>;

export type EncoderScores = Record<EncoderClass, number>;

/** The linear heads whose score sends a text to the encoder: every category; promotion stays the linear head's alone. */
export const CONSULTED_HEADS = MODEL_HEADS.filter((h) => h !== 'promotional');

/**
 * From which linear promotional score a text that promotion would stop (a prior-relationship or
 * conversation basis) is sent to the encoder for promotion alone: the joint band can be reached only from the
 * square of its score (the encoder's score is at most 1). Never without a joint band.
 */
export function promotionConsult(head: { bands?: EncoderHeadFile['bands'] }): number {
  const joint = head.bands?.['promotional']?.joint;
  return joint === undefined ? Number.POSITIVE_INFINITY : joint * joint;
}

/** The pool refused the text: its queue was full. The caller fails closed (holds the message). */
export const POOL_FULL = 'pool-full' as const;
