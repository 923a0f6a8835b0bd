import { ClauseIdSchema } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { compileClassifier, type InboundClassifier } from './inbound-keywords.js';

/** The rule data (src/rule-data), loaded once by `loadRuleData` and provided under this token in app.module.ts. */
export const RULE_DATA = Symbol('RULE_DATA');

const Sources = z.array(z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() })).min(1);

export const ConsentPolicySchema = z.strictObject({
  version: z.string(),
  description: z.string(),
  sources: Sources,
  reconfirm: z.strictObject({
    afterDays: z.record(z.string().regex(/^[A-Z]{2}$/), z.number().int().positive()),
    defaultAfterDays: z.number().int().positive(),
    wording: z.string().includes('{brand}'),
    /** The same without the opt-out instruction, for a body that already carries one. */
    wordingWithOptOut: z.string().includes('{brand}'),
    source: z.string(),
  }),
  optOutReminder: z.strictObject({ wording: z.string().min(1), source: z.string() }),
  stateCaps: z.array(
    z.strictObject({
      country: z.string().regex(/^[A-Z]{2}$/),
      region: z.string(),
      useCases: z.array(z.enum(['marketing', 'informational', 'conversational'])).min(1),
      max: z.number().int().positive(),
      windowHours: z.number().int().positive(),
      source: z.string(),
    }),
  ),
  proofRetentionDays: z.number().int().positive(),
  proofRetentionSource: z.string(),
});
export type ConsentPolicy = z.infer<typeof ConsentPolicySchema>;

const Pattern = z.strictObject({ pattern: z.string().min(1), confidence: z.number().min(0).max(1) });

export const OptOutPhrasesSchema = z.strictObject({
  version: z.string(),
  description: z.string(),
  sources: Sources,
  keywords: z.strictObject({ optOut: z.array(z.string()).min(1), optIn: z.array(z.string()).min(1), help: z.array(z.string()).min(1) }),
  not: z.array(z.string()),
  strong: z.array(Pattern).min(1),
  weak: z.array(Pattern),
});
export type OptOutPhrases = z.infer<typeof OptOutPhrasesSchema>;

function load<S extends z.ZodType>(schema: S, file: string): z.infer<S> {
  const data: unknown = JSON.parse(readFileSync(new URL(`../rule-data/${file}`, import.meta.url), 'utf8'));
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`rule data ${file} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

export const loadConsentPolicy = (): ConsentPolicy => load(ConsentPolicySchema, 'consent-policy.v1.json');
export const loadOptOutPhrases = (): OptOutPhrases => load(OptOutPhrasesSchema, 'opt-out-phrases.v1.json');

export interface RuleData {
  policy: ConsentPolicy;
  /** What an inbound text asks for, compiled from `opt-out-phrases.v1.json`. */
  inboundClassifier: InboundClassifier;
}

/** Every rule data file, validated. Throws at start-up rather than deciding with broken rules. */
export function loadRuleData(): RuleData {
  return { policy: loadConsentPolicy(), inboundClassifier: compileClassifier(loadOptOutPhrases()) };
}
