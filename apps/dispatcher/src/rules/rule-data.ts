import { ClauseIdSchema, twilioErrorTable, type TwilioErrors } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The rule data (src/rule-data), loaded once by `loadRuleData` and provided under this token in app.module.ts. */
export const RULE_DATA = Symbol('RULE_DATA');

const SourceSchema = z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() });
const rate = z.number().positive();

/** `sender-rates.v1.json`: throughput per sender kind and registration (AUP.SERVICE_LIMITS). */
export const SenderRatesSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  sources: z.array(SourceSchema).min(1),
  senderTypes: z.strictObject({
    long_code: z.strictObject({ segmentsPerSecond: rate, source: z.string() }),
    toll_free: z.strictObject({ segmentsPerSecond: rate, source: z.string() }),
    short_code: z.strictObject({ segmentsPerSecond: rate, source: z.string() }),
  }),
  unknownSenderType: z.enum(['long_code', 'toll_free', 'short_code']),
  tenDlc: z.strictObject({
    carriers: z.array(z.enum(['att', 'tmobile', 'verizon'])).min(1),
    defaultRegistration: z.enum(['standard_brand', 'low_volume_mixed', 'sole_proprietor']),
    registrations: z.strictObject({
      standard_brand: z.strictObject({
        trustScoreTiers: z.array(z.strictObject({ minScore: z.number().int().min(0).max(100), segmentsPerSecond: rate })).min(1),
        splitAcrossCarriers: z.boolean(),
        tmobileDailyCap: z.number().int().positive(),
      }),
      low_volume_mixed: z.strictObject({ segmentsPerSecond: rate, splitAcrossCarriers: z.boolean(), tmobileDailyCap: z.number().int().positive() }),
      sole_proprietor: z.strictObject({ segmentsPerSecond: rate, splitAcrossCarriers: z.boolean(), tmobileDailyCap: z.number().int().positive() }),
    }),
    source: z.string(),
    tmobileDayTimeZone: z.string().min(1),
    tmobileCapSource: z.string(),
    unknownCarrierSource: z.string(),
  }),
  queueWindowSeconds: z.number().int().positive(),
  queueWindowSource: z.string(),
});
export type SenderRates = z.infer<typeof SenderRatesSchema>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
export const WindowSchema = z.strictObject({ start: HHMM, end: HHMM }).refine((w) => w.start < w.end, 'start must be before end');
export type LocalWindow = z.infer<typeof WindowSchema>;
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** A window per weekday may be overridden; null closes the day. */
const DaysSchema = z.partialRecord(z.enum(WEEKDAYS), WindowSchema.nullable());
const RuleSchema = z.strictObject({ window: WindowSchema, days: DaysSchema.optional(), source: z.string() });
export type LocalTimeRule = z.infer<typeof RuleSchema>;

/** `quiet-hours.v1.json`: when messages may reach a person, in their local time (MP.COUNTRY). */
export const QuietHoursSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  sources: z.array(SourceSchema).min(1),
  appliesTo: z.strictObject({
    marketing: z.enum(['defer', 'send']),
    informational: z.enum(['defer', 'send', 'tenant_setting']),
    conversational: z.enum(['defer', 'send']),
    systemMessages: z.enum(['defer', 'send']),
    informationalDefault: z.enum(['defer', 'send']),
    source: z.string(),
  }),
  countries: z.record(z.string().regex(/^[A-Z]{2}$/), RuleSchema.extend({ regions: z.record(z.string(), RuleSchema).optional() })),
  otherCountries: RuleSchema,
});
export type QuietHours = z.infer<typeof QuietHoursSchema>;

export interface RuleData {
  senderRates: SenderRates;
  quietHours: QuietHours;
  /** Twilio's error table, shared with consent (@sms/contracts). */
  twilioErrors: TwilioErrors;
}

function load<S extends z.ZodType>(schema: S, file: string): z.infer<S> {
  const parsed: z.infer<S> = schema.parse(JSON.parse(readFileSync(new URL(`../rule-data/${file}`, import.meta.url), 'utf8')));
  const data = parsed as { sources: { id: string }[] };
  // Every "source" a rule names must be listed, so that each number traces to where it came from.
  const ids = new Set(data.sources.map((s) => s.id));
  const missing = [...JSON.stringify(parsed).matchAll(/"(?:source|tmobileCapSource|unknownCarrierSource|queueWindowSource)":"([^"]+)"/g)].map((m) => m[1]!).filter((id) => !ids.has(id));
  if (missing.length > 0) throw new Error(`${file} names sources it does not list: ${[...new Set(missing)].join(', ')}`);
  return parsed;
}

/** Every rule data file, validated. Throws at start-up rather than sending with broken rules. */
export function loadRuleData(): RuleData {
  return {
    senderRates: load(SenderRatesSchema, 'sender-rates.v1.json'),
    quietHours: load(QuietHoursSchema, 'quiet-hours.v1.json'),
    twilioErrors: twilioErrorTable(),
  };
}
