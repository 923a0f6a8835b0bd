import { z } from 'zod';
import { CORPUS_LABELS } from '../train/corpus.js';
import { readCases } from './labeled-set.js';

/**
 * The blind set (eval/blind): messages written apart from the rules, the model and the
 * corpus, by an author who saw none of them. It is scored, never read for tuning, and never
 * trained on.
 */
export const BlindCaseSchema = z.strictObject({
  id: z.string().min(1),
  lang: z.enum(['en', 'es']),
  useCase: z.enum(['informational', 'marketing', 'conversational']),
  brand: z.string().min(1),
  body: z.string().min(1),
  label: z.enum(CORPUS_LABELS),
  note: z.string().optional(),
});
export type BlindCase = z.infer<typeof BlindCaseSchema>;

export const readBlindSet = (path: string): BlindCase[] => readCases(path, BlindCaseSchema, 'blind set');
