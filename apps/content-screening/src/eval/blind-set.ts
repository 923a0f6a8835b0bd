import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CORPUS_LABELS } from '../train/corpus.js';

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

export function readBlindSet(path: string): BlindCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => {
      const parsed = BlindCaseSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`blind set line ${number}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}
