import { z } from 'zod';
import type { NormalisedText } from '../normalise.js';
import { featuresOf, textWindows, type FeatureSpec } from './features.js';
import { SlotWeights } from './slot-weights.js';

/**
 * Stage two of the screening: one logistic head per category over hashed n-grams
 * (`features.ts`), trained offline by `npm run train:screening` and shipped as rule data
 * (`rule-data/text-model.v1.json`). A head's score is a probability; its bands decide what
 * the score may do: at or above `block` the category's outcome, from `hold` a hold for
 * review, below `hold` nothing.
 */

/** The categories a head can speak for (the gated ones still go through the age gate). */
export const MODEL_HEADS = ['cannabis', 'prescription_drugs', 'fraud', 'malware', 'hate', 'alcohol', 'tobacco', 'firearms', 'gambling', 'adult', 'promotional'] as const;
export type ModelHead = (typeof MODEL_HEADS)[number];

const Band = z.number().min(0).max(1);
const HeadSchema = z.strictObject({
  name: z.enum(MODEL_HEADS),
  bias: z.number(),
  /** Weights are stored as integers times this scale. */
  scale: z.number().positive(),
  hold: Band,
  block: Band,
  /**
   * The score a stage-one rule finding of this category needs from the head to stop a message
   * (words such as "weed", "slot" or "casino" also have ordinary and medical senses): below it
   * the rule's finding is reported and passes. Chosen by cross-validation so that at most 1 in
   * 200 of the corpus's texts of the category that a rule finds falls below it; absent, 0.
   */
  corroborate: Band.optional(),
  /**
   * Where stage one has seen part of the category's evidence (fraud or promotion signals from
   * the lexicon's `partial` score up to its threshold), the head holds from this score instead of
   * its hold band. Chosen by cross-validation so that it holds at most 1 in 2,000 of the head's
   * lawful texts more; absent, the hold band.
   */
  agree: Band.optional(),
  /** Cross-validated figures of the training corpus at these bands, for the record. */
  cv: z.strictObject({
    positives: z.number().int(),
    precisionAtHold: z.number(),
    recallAtHold: z.number(),
    falsePositiveRateAtHold: z.number(),
    recallAtBlock: z.number(),
    falsePositiveRateAtBlock: z.number(),
  }),
});

export const TextModelFileSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string().min(1),
  /** How it was made: the corpus files and their digest, the training options, the seed. */
  training: z.strictObject({
    corpusDigest: z.string().regex(/^[0-9a-f]{64}$/),
    examples: z.number().int().positive(),
    options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  }),
  features: z.strictObject({
    hashBits: z.number().int().min(10).max(24),
    charNgrams: z.tuple([z.number().int().min(1), z.number().int().max(8)]),
    wordNgrams: z.tuple([z.number().int().min(1), z.number().int().max(4)]),
  }),
  heads: z.array(HeadSchema).min(1),
  /** Non-zero weights: slot-major indexes (slot * heads + head) as base64 LEB128 deltas, and their int16 values as base64 little-endian. */
  weights: z.strictObject({ count: z.number().int().nonnegative(), indexes: z.string(), values: z.string() }),
});
export type TextModelFile = z.infer<typeof TextModelFileSchema>;

export interface TextModelHead {
  name: ModelHead;
  bias: number;
  hold: number;
  block: number;
  /** The score a rule finding of the category needs from this head (0: none). */
  corroborate: number;
  /** The score from which the head holds where stage one saw part of the category's evidence. */
  agree: number;
  /** The training's cross-validated figures at these bands, for the record. */
  cv: TextModelFile['heads'][number]['cv'];
}

export interface TextModel {
  version: string;
  spec: FeatureSpec;
  heads: TextModelHead[];
  /** The non-zero weights, by slot and head. */
  weights: SlotWeights;
}

/** What a head's score rests on: the n-grams that pushed it up most, in the normalised text. */
export interface Contribution {
  start: number;
  end: number;
  weight: number;
}

export function encodeWeights(weights: Float32Array, heads: number, scales: number[]): TextModelFile['weights'] {
  const bytes: number[] = [];
  const values: number[] = [];
  let previous = 0;
  for (let i = 0; i < weights.length; i++) {
    const q = Math.round(weights[i]! / scales[i % heads]!);
    if (q === 0) continue;
    let delta = i - previous;
    previous = i;
    do {
      const byte = delta & 0x7f;
      delta >>>= 7;
      bytes.push(delta > 0 ? byte | 0x80 : byte);
    } while (delta > 0);
    values.push(Math.max(-32767, Math.min(32767, q)));
  }
  const valueBytes = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => valueBytes.writeInt16LE(v, i * 2));
  return { count: values.length, indexes: Buffer.from(bytes).toString('base64'), values: valueBytes.toString('base64') };
}

export function loadTextModel(input: unknown): TextModel {
  const file = TextModelFileSchema.parse(input);
  const spec: FeatureSpec = { hashBits: file.features.hashBits, charNgrams: file.features.charNgrams, wordNgrams: file.features.wordNgrams };
  const indexes = Buffer.from(file.weights.indexes, 'base64');
  const values = Buffer.from(file.weights.values, 'base64');
  if (values.length !== file.weights.count * 2) throw new Error(`text model ${file.version}: ${values.length / 2} weights stored, ${file.weights.count} declared`);
  function* stored(): Generator<{ index: number; value: number }> {
    let at = 0;
    let index = 0;
    for (let n = 0; n < file.weights.count; n++) {
      let delta = 0;
      let shift = 0;
      let byte: number;
      do {
        if (at >= indexes.length) throw new Error(`weight indexes end after ${n} of ${file.weights.count}`);
        byte = indexes[at++]!;
        delta |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      index += delta;
      yield { index, value: values.readInt16LE(n * 2) };
    }
  }
  let weights: SlotWeights;
  try {
    weights = SlotWeights.build(
      1 << spec.hashBits,
      file.heads.map((h) => h.scale),
      stored(),
    );
  } catch (error) {
    throw new Error(`text model ${file.version}: ${(error as Error).message}`);
  }
  return {
    version: file.version,
    spec,
    heads: file.heads.map(({ name, bias, hold, block, corroborate, agree, cv }) => ({ name, bias, hold, block, corroborate: corroborate ?? 0, agree: agree ?? hold, cv })),
    weights,
  };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// Reused accumulator: one message at a time.
let sums = new Float64Array(16);

/**
 * Every head's probability for one text. A text longer than `READ_WINDOW` is read window by
 * window (`textWindows`), each head at its highest: the heads were trained on texts of at most
 * that length, and over a longer one the length-normalised counts would let filler dilute what a
 * part of it says, or one sentence repeated dozens of times add up to anything.
 */
export function scoreText(model: TextModel, normalised: Pick<NormalisedText, 'text'>): number[] {
  const windows = textWindows(normalised.text);
  if (windows.length === 1) return scoreWhole(model, normalised);
  const best = new Array<number>(model.heads.length).fill(0);
  for (const [start, end] of windows) {
    const scores = scoreWhole(model, { text: normalised.text.slice(start, end) });
    for (let k = 0; k < best.length; k++) best[k] = Math.max(best[k]!, scores[k]!);
  }
  return best;
}

function scoreWhole(model: TextModel, normalised: Pick<NormalisedText, 'text'>): number[] {
  const h = model.heads.length;
  if (sums.length < h) sums = new Float64Array(h);
  sums.fill(0, 0, h);
  const { count, slots } = featuresOf(normalised, model.spec);
  model.weights.addAll(slots, count, sums);
  // Each occurrence weighs 1/sqrt(n): the length-normalised counts the heads were trained on.
  const norm = count > 0 ? 1 / Math.sqrt(count) : 0;
  const scores: number[] = [];
  for (let k = 0; k < h; k++) scores.push(sigmoid(model.heads[k]!.bias + sums[k]! * norm));
  return scores;
}

/** The n-grams that carried one head's score most, strongest first, overlapping ones merged. */
export function explainHead(model: TextModel, normalised: NormalisedText, head: number, limit = 3): Contribution[] {
  const bySlot = new Map<number, Contribution>();
  const { count, slots, starts, ends } = featuresOf(normalised, model.spec);
  for (let i = 0; i < count; i++) {
    const weight = model.weights.weight(slots[i]!, head);
    if (weight <= 0) continue;
    const known = bySlot.get(slots[i]!);
    // A repeated n-gram counts as often as it occurs; its first occurrence is shown.
    if (known) known.weight += weight;
    else bySlot.set(slots[i]!, { start: starts[i]!, end: ends[i]!, weight });
  }
  const norm = count > 0 ? 1 / Math.sqrt(count) : 0;
  const ranked = [...bySlot.values()].sort((a, b) => b.weight - a.weight || a.start - b.start);
  // Each n-gram widened to the whole words it touches (a reviewer reads "repair", not " a re"),
  // spans of spacing and punctuation only dropped, overlapping spans merged.
  const merged: Contribution[] = [];
  for (const c of ranked.slice(0, limit * 6)) {
    const words = wholeWords(normalised.text, c.start, c.end);
    if (!words) continue;
    const overlapping = merged.find((m) => words.start < m.end && m.start < words.end);
    if (overlapping) {
      overlapping.start = Math.min(overlapping.start, words.start);
      overlapping.end = Math.max(overlapping.end, words.end);
      overlapping.weight += c.weight * norm;
    } else if (merged.length < limit) {
      merged.push({ ...words, weight: c.weight * norm });
    }
  }
  return merged.sort((a, b) => b.weight - a.weight);
}

const WORD = /[\p{L}\p{N}]/u;

/** The span [start, end) trimmed of spacing and punctuation and widened to word edges; null when no letter or digit is in it. */
function wholeWords(text: string, start: number, end: number): { start: number; end: number } | null {
  while (start < end && !WORD.test(text[start]!)) start++;
  while (end > start && !WORD.test(text[end - 1]!)) end--;
  if (start === end) return null;
  while (start > 0 && WORD.test(text[start - 1]!)) start--;
  while (end < text.length && WORD.test(text[end]!)) end++;
  return { start, end };
}
