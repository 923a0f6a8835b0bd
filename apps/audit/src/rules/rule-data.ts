import { ClauseIdSchema } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The rule data (src/rule-data), loaded once by `loadRuleData` and provided under this token in app.module.ts. */
export const RULE_DATA = Symbol('RULE_DATA');

export const EnforcementRulesSchema = z.strictObject({
  version: z.string(),
  description: z.string(),
  sources: z.array(z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() })).min(1),
  windowHours: z.number().int().positive(),
  serious: z.array(ClauseIdSchema),
  notViolations: z.array(ClauseIdSchema),
  campaign: z.strictObject({ serious: z.number().int().positive(), all: z.number().int().positive() }),
  tenant: z.strictObject({ serious: z.number().int().positive(), all: z.number().int().positive() }),
});
export type EnforcementRules = z.infer<typeof EnforcementRulesSchema>;

export interface RuleData {
  enforcement: EnforcementRules;
}

/** Every rule data file, validated. Throws at start-up rather than enforcing with broken rules. */
export function loadRuleData(): RuleData {
  return {
    enforcement: EnforcementRulesSchema.parse(JSON.parse(readFileSync(new URL('../rule-data/enforcement.v1.json', import.meta.url), 'utf8'))),
  };
}
