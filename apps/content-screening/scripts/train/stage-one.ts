import { compileRules } from '../../src/rules/compile.js';
import { MODEL_HEADS, type ModelHead } from '../../src/rules/model/text-model.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { DEFAULT_SETTINGS, defaultBasis, screen, withCorroborationAt } from '../../src/rules/screen-message.js';
import type { UseCase } from '@sms/contracts';

/**
 * The categories stage one's rules find in a text that would need a model's corroboration to
 * stop it, screened as a first message to a US number whose age is not verified (every head is
 * made to ask for more than any score, so each such finding shows as uncorroborated). What the
 * trainers choose the models' `corroborate` scores on.
 */
export function stageOneFinder(): (text: string, useCase: UseCase) => Set<ModelHead> {
  const rules = withCorroborationAt(compileRules(loadRuleData()), Number.POSITIVE_INFINITY);
  return (text, useCase) => {
    const facts = { country: 'US', age: { verified: false as const }, basis: defaultBasis(useCase), firstMessage: true, kind: 'standard' as const, brand: 'Acme', settings: DEFAULT_SETTINGS };
    const found = new Set<ModelHead>();
    for (const f of screen(text, facts, rules).findings) if (f.uncorroborated && (MODEL_HEADS as readonly string[]).includes(f.category)) found.add(f.category as ModelHead);
    return found;
  };
}
