import { DecisionSchema } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ScreenInputSchema } from '../cli/screen-line.js';
import { CategorySchema } from '../../src/rules/rule-data.js';

/** A case of our own labeled set: a CLI input line plus what the policy expects (eval/data/README.md). */
export const LabeledCaseSchema = ScreenInputSchema.extend({
  expected: z.strictObject({ decision: DecisionSchema, categories: z.array(CategorySchema) }),
  group: z.string().min(1),
  note: z.string().optional(),
  /** A word of the body that scripts/eval/make-variants.ts disguises in evasion variants of the case. */
  disguise: z.string().min(1).optional(),
});
export type LabeledCase = z.infer<typeof LabeledCaseSchema>;

/** Reads a JSONL evaluation set; a line that does not parse or validate stops the evaluation, naming the line. */
export function readCases<S extends z.ZodType>(path: string, schema: S, what: string): z.infer<S>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => {
      const parsed = schema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${what} line ${number}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}

export const readLabeledSet = (path: string): LabeledCase[] => readCases(path, LabeledCaseSchema, 'labeled set');
