import { ConsentBasisSchema, E164Schema, MAX_BODY_LENGTH, MessageKindSchema, UseCaseSchema, type ClauseId, type Decision, type MessageEnvelope, type TenantConfigEvent } from '@sms/contracts';
import { recipientLocale } from '@sms/domain';
import { z } from 'zod';
import type { CompiledRules } from '../../src/rules/compile.js';
import type { Category } from '../../src/rules/rule-data.js';
import { screenTwoStage, type SecondStage } from '../../src/rules/model/second-opinion.js';
import { DEFAULT_SETTINGS, defaultBasis, factsFromEnvelope, type ScreeningResult, type ScreeningSettings } from '../../src/rules/screen-message.js';

/** One input line of `npm run screen` (and one case of the labeled set). */
export const ScreenInputSchema = z.object({
  id: z.union([z.string().min(1).max(200), z.number()]),
  body: z.string().min(1).max(MAX_BODY_LENGTH),
  to: E164Schema,
  useCase: UseCaseSchema,
  brand: z.string().min(1).max(100),
  /** Absent means the first message to this person (the strict reading). */
  firstMessage: z.boolean().default(true),
  /** Defaults from the use case: marketing -> express, informational -> prior_relationship, conversational -> conversation. */
  consentBasis: ConsentBasisSchema.optional(),
  /** A verified age in years, or true for "verified to be of legal age"; absent or false means not verified. */
  ageVerified: z.union([z.boolean(), z.number().int().min(0).max(150)]).optional(),
  /** System messages of the consent service; standard by default. */
  kind: MessageKindSchema.optional(),
});
export type ScreenInput = z.infer<typeof ScreenInputSchema>;

export const ScreeningSettingsSchema = z.strictObject({
  missingOptOutLanguage: z.enum(['transform', 'block']).default(DEFAULT_SETTINGS.missingOptOutLanguage),
  missingSenderId: z.enum(['transform', 'block']).default(DEFAULT_SETTINGS.missingSenderId),
  publicUrlShortener: z.enum(['hold', 'block']).default(DEFAULT_SETTINGS.publicUrlShortener),
});

export interface ScreenOutput {
  id: string | number;
  decision: Decision;
  categories: Category[];
  clauses: ClauseId[];
  reasons: string[];
  body?: string;
}

export interface ScreenError {
  line: number;
  id?: string | number;
  error: string;
}

/** The envelope the pipeline would carry for this input, so the CLI reads facts exactly as the service does. */
export function envelopeOf(input: ScreenInput): MessageEnvelope {
  const locale = recipientLocale(input.to);
  const age = typeof input.ageVerified === 'number' ? input.ageVerified : undefined;
  return {
    schema: 'sms.envelope',
    version: 1,
    id: '00000000-0000-4000-8000-000000000000',
    tenantId: 'cli',
    kind: input.kind ?? 'standard',
    channel: 'kafka',
    acceptedAt: new Date(0).toISOString(),
    message: { to: input.to, brand: input.brand, campaign: 'cli', useCase: input.useCase, body: input.body },
    recipient: { country: locale.country, ...(locale.region ? { region: locale.region } : {}), ...(age !== undefined ? { verifiedAge: age } : {}) },
    consent: { basis: input.consentBasis ?? defaultBasis(input.useCase), recordId: 'cli', decidedAt: new Date(0).toISOString(), firstMessage: input.firstMessage },
    verdicts: [],
  };
}

/** Screens one parsed input with the service's own decision (both stages when `second` is given). */
export async function screenInput(input: ScreenInput, rules: CompiledRules, settings: ScreeningSettings = DEFAULT_SETTINGS, second?: SecondStage): Promise<ScreeningResult> {
  const tenant = { settings } as TenantConfigEvent;
  const facts = factsFromEnvelope(envelopeOf(input), tenant);
  // "true" says the recipient was verified to be of legal age without saying the age.
  if (input.ageVerified === true) facts.age = { verified: true };
  return screenTwoStage(input.body, facts, rules, second);
}

export function outputOf(input: ScreenInput, result: ScreeningResult): ScreenOutput {
  return {
    id: input.id,
    decision: result.decision,
    categories: result.categories,
    clauses: result.clauses,
    reasons: result.reasons,
    ...(result.decision === 'transform' ? { body: result.body } : {}),
  };
}

/** One line in, one line out: an answer, or an error with the line number. */
export async function screenLine(line: string, lineNumber: number, rules: CompiledRules, settings: ScreeningSettings = DEFAULT_SETTINGS, second?: SecondStage): Promise<ScreenOutput | ScreenError> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { line: lineNumber, error: `not valid JSON: ${(error as Error).message}` };
  }
  const parsed = ScreenInputSchema.safeParse(value);
  if (!parsed.success) {
    const id = typeof value === 'object' && value !== null && 'id' in value && (typeof value.id === 'string' || typeof value.id === 'number') ? value.id : undefined;
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
    return { line: lineNumber, ...(id !== undefined ? { id } : {}), error: `invalid input: ${problems}` };
  }
  return outputOf(parsed.data, await screenInput(parsed.data, rules, settings, second));
}
