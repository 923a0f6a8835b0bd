import { ClauseIdSchema } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The rule data file's shape: versioned, sourced, validated when loaded. */
export const ContentRulesSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  sources: z.array(z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() })).min(1),
  categories: z.record(
    z.string(),
    z.strictObject({
      clause: ClauseIdSchema,
      /** Recipient countries where the category is stopped; "ZZ" is an unknown country. */
      countries: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1),
      decision: z.enum(['block', 'hold']),
      terms: z.array(z.string().min(1)).min(1),
      /** Phrases that contain a term but are harmless ("weed out"). */
      benign: z.array(z.string().min(1)).default([]),
    }),
  ),
});
export type ContentRules = z.infer<typeof ContentRulesSchema>;

export function loadContentRules(url: URL = new URL('../rule-data/content-rules.v1.json', import.meta.url)): ContentRules {
  return ContentRulesSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}
