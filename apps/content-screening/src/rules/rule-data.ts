import { ClauseIdSchema } from '@sms/contracts';
import { optOutWording, type OptOutWording } from '@sms/text';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TextModelFileSchema, type TextModelFile } from './model/text-model.js';

/**
 * The rule data files (src/rule-data): versioned, sourced, validated when loaded. Nothing a
 * policy decides (terms, weights, ages, lists, wording) lives in code.
 */

/** The rule data, loaded once by `loadRuleData` and provided under this token in app.module.ts. */
export const RULE_DATA = Symbol('RULE_DATA');
/** What is derived from it, provided beside it: the rules compiled from RULE_DATA (`compileRules`). */
export const COMPILED_RULES = Symbol('COMPILED_RULES');
/** The text encoder's pool and tokenizer (`loadSecondStage`); undefined when it is switched off. */
export const SECOND_STAGE = Symbol('SECOND_STAGE');

const Sources = z.array(z.strictObject({ id: z.string().min(1), title: z.string().min(1), clauses: z.array(ClauseIdSchema).optional() })).min(1);

/** One token of a phrase: a word, a number, one of the symbols the tokenizer keeps, or an emoji. */
const TOKEN = /^(?:[a-z0-9]+|[%$£€₹&+]|\p{Extended_Pictographic})$/u;
/** A phrase: slots separated by spaces; a slot is '#', '*', '..', or choices joined by '|' (a choice of several tokens joins them by '_'), optionally ending in '?'. */
export const PhraseSchema = z.string().refine(
  (phrase) =>
    phrase.length > 0 &&
    phrase.split(' ').every((slot) => {
      if (slot === '#' || slot === '*' || slot === '..') return true;
      const body = slot.length > 1 && slot.endsWith('?') ? slot.slice(0, -1) : slot;
      return body.split('|').every((alternative) => alternative.split('_').every((token) => TOKEN.test(token)));
    }),
  { message: "a phrase is lower-case tokens separated by single spaces ('a|b' choices, '?' optional, '#', '*', '..')" },
);
const Phrases = z.array(PhraseSchema);

const Signal = z.strictObject({ id: z.string().min(1), weight: z.number().positive(), phrases: Phrases.min(1) });
const Combo = z.strictObject({ id: z.string().min(1), weight: z.number().positive().optional(), window: z.number().int().positive(), all: z.array(Phrases.min(1)).length(2) });

export const CATEGORY_NAMES = [
  'cannabis',
  'prescription_drugs',
  'hate',
  'fraud',
  'malware',
  'alcohol',
  'firearms',
  'gambling',
  'tobacco',
  'adult',
  'promotional',
  'filter_evasion',
  'public_url_shortener',
  'missing_sender_id',
  'missing_opt_out_language',
] as const;
export const CategorySchema = z.enum(CATEGORY_NAMES);
export type Category = z.infer<typeof CategorySchema>;

/** Categories found from the words of a message (the others come from links, consent facts and wording checks). */
export const LEXICON_CATEGORIES = ['cannabis', 'prescription_drugs', 'hate', 'malware', 'alcohol', 'firearms', 'gambling', 'tobacco', 'adult'] as const;
export type LexiconCategory = (typeof LEXICON_CATEGORIES)[number];
export const GATED_CATEGORIES = ['cannabis', 'alcohol', 'firearms', 'gambling', 'tobacco', 'adult'] as const;
export type GatedCategory = (typeof GATED_CATEGORIES)[number];

const LexiconCategoryRulesSchema = z.strictObject({
  terms: Phrases.min(1),
  /** Tag name -> phrases of `terms` that carry it (a pack may exempt a tag: CBD in GB). */
  tags: z.record(z.string(), Phrases).optional(),
  /** Phrases of `terms` that stand on their own, with no head's corroboration (a threat to kill someone). */
  firm: Phrases.optional(),
  context: z.array(z.strictObject({ cue: z.string(), terms: Phrases.min(1) })).optional(),
  combos: z.array(Combo).optional(),
  benign: Phrases,
  /**
   * A patient's own care: where one of `phrases` stands anywhere in the message ("your refill",
   * "quit coach", "SMART Recovery"), a context word of the category counts only beside a cue
   * that is not one of `weakCues` (a price does, "shipped" or "free" does not). Terms, which
   * stand on their own, are not touched.
   */
  care: z.strictObject({ phrases: Phrases.min(1), weakCues: Phrases.min(1) }).optional(),
});

export const LexiconsSchema = z
  .strictObject({
    version: z.string().min(1),
    description: z.string(),
    sources: Sources,
    window: z.number().int().positive(),
    notMisspellings: z.array(z.string().regex(/^[a-z]+$/)),
    cues: z.record(z.string(), Phrases.min(1)),
    categories: z.strictObject({
      cannabis: LexiconCategoryRulesSchema,
      prescription_drugs: LexiconCategoryRulesSchema,
      hate: LexiconCategoryRulesSchema,
      malware: LexiconCategoryRulesSchema,
      alcohol: LexiconCategoryRulesSchema,
      firearms: LexiconCategoryRulesSchema,
      gambling: LexiconCategoryRulesSchema,
      tobacco: LexiconCategoryRulesSchema,
      adult: LexiconCategoryRulesSchema,
    }),
    fraud: z.strictObject({
      threshold: z.number().positive(),
      /** A score below the threshold at which stage one has seen part of a scam: the fraud head then holds from its `agree` score (screen-message.ts). */
      partial: z.number().positive(),
      /** A score at which the signals stand on their own: the fraud head's corroboration is not asked (screen-message.ts `corroborate`). */
      firm: z.number().positive(),
      /** Signals that stand on their own at the threshold (a password, card code or identity number asked for by text): no corroboration is asked either. */
      firmSignals: z.array(z.string().min(1)),
      signals: z.array(Signal).min(1),
      combos: z.array(Combo.extend({ weight: z.number().positive() })),
      /** Weights of what a link gives away (see links.ts for each id). */
      linkSignals: z.record(z.string(), z.number().positive()),
      /** Phone numbers by their digits: premium-rate call-backs. */
      numbers: z.array(z.strictObject({ id: z.string().min(1), weight: z.number().positive(), patterns: z.array(z.string().min(1)).min(1) })),
      /** Regular expressions over the normalised text, for what is not made of words ("*22446#" dial codes). */
      textPatterns: z.array(
        z.strictObject({
          id: z.string().min(1),
          weight: z.number().positive(),
          pattern: z.string().min(1),
          hint: z.string().min(1).describe('text that every match contains: the pattern runs only where it occurs'),
        }),
      ),
      benign: Phrases,
      /** Warnings about scams ("we will never ask you to", "beware of texts that"): they cancel the signals that follow them in their sentence, which describe a scam rather than make one. */
      warnings: Phrases,
    }),
    promotional: z.strictObject({
      threshold: z.number().positive(),
      /** Like fraud's `partial`: from this score of promotion or advocacy signals the promotional head holds from its `agree` score. */
      partial: z.number().positive(),
      signals: z.array(Signal).min(1),
      advocacy: z.array(Signal).min(1),
      /** Billing that speaks of a discount already given, not offered ("your self-pay discount of 30% was applied"): cancels the promotion signals it touches. */
      benign: Phrases,
    }),
  })
  .superRefine((data, ctx) => {
    const cuePhrases = new Set(Object.values(data.cues).flat());
    const signalIds = new Set([...data.fraud.signals.map((s) => s.id), ...Object.keys(data.fraud.linkSignals)]);
    data.fraud.firmSignals.forEach((id, i) => {
      if (!signalIds.has(id)) ctx.addIssue({ code: 'custom', path: ['fraud', 'firmSignals', i], message: `"${id}" is not the id of a fraud signal or link signal` });
    });
    for (const [category, rules] of Object.entries(data.categories)) {
      for (const phrase of rules.care?.weakCues ?? []) {
        if (!cuePhrases.has(phrase)) ctx.addIssue({ code: 'custom', path: ['categories', category, 'care', 'weakCues'], message: `"${phrase}" is not a phrase of any cue list` });
      }
      const terms = new Set(rules.terms);
      (rules.firm ?? []).forEach((phrase, i) => {
        if (!terms.has(phrase)) ctx.addIssue({ code: 'custom', path: ['categories', category, 'firm', i], message: `"${phrase}" is not one of the category's terms` });
      });
    }
  });

export type Lexicons = z.infer<typeof LexiconsSchema>;

const Region = z.string().regex(/^[A-Z0-9]{1,3}$/);
const CategoryRule = z.strictObject({
  action: z.enum(['block', 'hold', 'age_gate', 'allow']),
  clauses: z.array(ClauseIdSchema).min(1).optional(),
  exceptTags: z.array(z.string()).optional(),
  source: z.string(),
});
export const CountryPacksSchema = z
  .strictObject({
    version: z.string().min(1),
    description: z.string(),
    sources: Sources,
    fallback: z.string().regex(/^[A-Z]{2}$/),
    packs: z.record(
      z.string().regex(/^[A-Z]{2}$/),
      z.strictObject({
        name: z.string(),
        categories: z.partialRecord(CategorySchema, CategoryRule),
        legalAges: z.partialRecord(
          CategorySchema,
          z.strictObject({ default: z.number().int().min(0).max(99), regions: z.record(Region, z.number().int().min(0).max(99)).optional(), source: z.string() }),
        ),
      }),
    ),
  })
  .superRefine((data, ctx) => {
    if (!data.packs[data.fallback]) ctx.addIssue({ code: 'custom', message: `fallback pack ${data.fallback} is missing` });
    for (const [country, pack] of Object.entries(data.packs)) {
      for (const [category, rule] of Object.entries(pack.categories)) {
        if (rule.action === 'age_gate' && !pack.legalAges[category as Category]) ctx.addIssue({ code: 'custom', message: `${country}: ${category} is age-gated without a legal age` });
        if ((rule.action === 'block' || rule.action === 'hold') && !rule.clauses) ctx.addIssue({ code: 'custom', message: `${country}: ${category} stops without citing a clause` });
      }
    }
  });
export type CountryPacks = z.infer<typeof CountryPacksSchema>;

const Domain = z.string().regex(/^[a-z0-9.-]+$/);
export const UrlListsSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  sources: Sources,
  shorteners: z.array(Domain).min(1),
  maliciousHosts: z.array(Domain),
  executableExtensions: z.array(z.string().regex(/^[a-z0-9]+$/)).min(1),
  riskyTlds: z.array(Domain),
  throwawayHosts: z.array(Domain),
  extraTlds: z.array(z.string().regex(/^[a-z]+$/)),
  deceptiveHostWords: z.array(z.string().regex(/^[a-z]+$/)),
  /** Free e-mail providers: a scam asks to be contacted at one instead of a company's domain. */
  freeMailDomains: z.array(Domain),
  brands: z.array(z.strictObject({ name: z.string(), keywords: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1), domains: z.array(Domain).min(1) })),
});
export type UrlLists = z.infer<typeof UrlListsSchema>;

const Outcome = z.strictObject({
  action: z.enum(['block', 'hold', 'tenant']),
  clauses: z.array(ClauseIdSchema).min(1),
  impersonationClauses: z.array(ClauseIdSchema).optional(),
  source: z.string(),
});
export const ScreeningPolicySchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  sources: Sources,
  categories: z.strictObject({
    hate: Outcome,
    fraud: Outcome,
    malware: Outcome,
    filter_evasion: Outcome,
    promotional: Outcome,
    public_url_shortener: Outcome,
    missing_sender_id: Outcome,
    missing_opt_out_language: Outcome,
  }),
  /** What an offer in a reply to the person's own message gets (the conversation basis; `categories.promotional` is the prior-relationship basis's). */
  promotionInConversation: Outcome.extend({ action: z.enum(['block', 'hold']) }),
  ageGateClauses: z.array(ClauseIdSchema).min(1),
  /** The linear score a category needs (besides its head's `corroborate`) before the text encoder alone may stop a text for it. */
  encoderFloor: z.number().min(0).max(1),
  /** The encoder score a category needs before a linear score in the block band alone holds a text for it. */
  linearFloor: z.number().min(0).max(1),
  /** What screening adds to the shared opt-out wording (libs/text): words that are no invented keyword, and the wording it appends. */
  optOut: z.strictObject({
    /** Words after an instruction verb that are ordinary text, not an invented keyword ("text us", "reply here"). */
    notKeywords: z.array(z.string().regex(/^[a-z0-9]+$/)),
    appendWording: z.string().min(1),
    appendWithBrandWording: z.string().includes('{brand}'),
  }),
  senderId: z.strictObject({ prependWording: z.string().includes('{brand}') }),
  evasionNormalisations: z.array(z.string()),
});
export type ScreeningPolicy = z.infer<typeof ScreeningPolicySchema>;
export type PolicyOutcome = z.infer<typeof Outcome>;

export interface RuleData {
  lexicons: Lexicons;
  packs: CountryPacks;
  urls: UrlLists;
  policy: ScreeningPolicy;
  /** What an opt-out instruction is made of: the shared definition (libs/text). */
  optOutWording: OptOutWording;
  /** Stage two: the text model's heads (written by npm run train:screening). */
  model: TextModelFile;
}

function load<S extends z.ZodType>(schema: S, file: string): z.infer<S> {
  const data: unknown = JSON.parse(readFileSync(new URL(`../rule-data/${file}`, import.meta.url), 'utf8'));
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`rule data ${file} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Every rule data file, validated. Throws at start-up rather than screening with broken rules. */
export function loadRuleData(): RuleData {
  return {
    lexicons: load(LexiconsSchema, 'content-lexicons.v1.json'),
    packs: load(CountryPacksSchema, 'country-packs.v1.json'),
    urls: load(UrlListsSchema, 'url-lists.v1.json'),
    policy: load(ScreeningPolicySchema, 'screening-policy.v1.json'),
    optOutWording: optOutWording(),
    model: load(TextModelFileSchema, 'text-model.v1.json'),
  };
}

/** The versions of the rule data a verdict came from, for the audit trail. */
export function ruleDataVersion(data: RuleData): string {
  return [data.lexicons.version, data.packs.version, data.urls.version, data.policy.version, `opt-out-wording.${data.optOutWording.version}`, data.model.version].join('/');
}
