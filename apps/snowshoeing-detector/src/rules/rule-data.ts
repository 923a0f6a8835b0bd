import { ClauseIdSchema, SnowshoeMeasureSchema } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TextRules } from './fingerprint.js';
import { sharedByDesign, type SharedByDesign } from './markers.js';

/** The rule data (src/rule-data), loaded once by `loadRuleData` and provided under this token in app.module.ts. */
export const RULE_DATA = Symbol('RULE_DATA');

const SourcesSchema = z.array(z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() })).min(1);

export const SnowshoeRuleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  decision: z.enum(['hold', 'block']),
  /** The window the measures are taken over (a name from `windows`). */
  window: z.string().min(1),
  /** The rule fires when every measure named here reaches its minimum. */
  min: z.partialRecord(SnowshoeMeasureSchema, z.number().min(0)).refine((m) => Object.keys(m).length > 0, 'a rule needs at least one minimum'),
  clauses: z.array(ClauseIdSchema).min(1),
  why: z.string().min(1),
});
export type SnowshoeRule = z.infer<typeof SnowshoeRuleSchema>;

/** The snowshoeing rule data: versioned, sourced, validated when loaded. */
export const SnowshoeRulesSchema = z
  .strictObject({
    version: z.string().min(1),
    description: z.string(),
    sources: SourcesSchema,
    similarity: z.strictObject({
      /** MinHash functions per signature. */
      hashes: z.number().int().min(16).max(512),
      /** LSH: a pair of similarity s shares a band with probability 1-(1-s^rows)^bands. */
      bands: z.number().int().min(1),
      rows: z.number().int().min(1),
      /** Least share of a message's content words the cluster has used, for a near-duplicate. */
      containment: z.number().gt(0).max(1),
      /** Fewer content words than this: too short to compare, only the exact template counts. */
      minTokens: z.number().int().min(1),
      /** Most content words remembered per cluster (its vocabulary). */
      vocabulary: z.number().int().min(8).max(10_000),
      /** Most LSH bands registered per cluster (from its first members). */
      bandsPerCluster: z.number().int().min(1).max(100_000),
    }),
    windows: z.array(z.strictObject({ name: z.string().min(1), ms: z.number().int().positive(), buckets: z.number().int().min(1).max(1000) })).min(1),
    senders: z.strictObject({
      /** A number first seen (by this detector) less than this long ago is a new number. */
      newForMs: z.number().int().positive(),
      /** A sender that has not sent for this many of the cluster's messages has been rotated out. */
      retiredAfterMessages: z.number().int().positive(),
      /** ... or for this many times the number of senders active (a pool of n used evenly leaves gaps of about n). */
      retiredAfterSenderMultiple: z.number().positive(),
      /** Most senders and tenants remembered per cluster (more only saturate the counts): bounds memory. */
      maxTracked: z.number().int().min(8).max(10_000),
      maxTenantsTracked: z.number().int().min(2).max(1000),
      /** Message ids kept per cluster as evidence. */
      samples: z.number().int().min(1).max(50),
      /**
       * A sender is late (the pool grew mid-campaign) when it first sends a content after the
       * content's sending identity had this many messages, and this many times the senders then
       * in use: an even pool of n numbers shows all of them within a few times n messages.
       */
      lateAfterMessages: z.number().int().positive(),
      lateAfterSenderMultiple: z.number().positive(),
    }),
    /** What a content's volume justifies: `excessSenders` counts the senders beyond it. */
    volume: z.strictObject({
      /** Numbers any sending identity may use for one content, whatever its volume (a clinic's pool). */
      ordinaryPool: z.number().int().min(1),
      /** Messages an hour one number carries without strain: more need more numbers. */
      perNumberHourly: z.number().positive(),
      /** The rate is measured over at least this span, so that a few messages do not make a rate. */
      minSpanMs: z.number().int().positive(),
    }),
    /**
     * Actor markers: what makes messages of several tenants one actor's campaign (a link's
     * registrable domain, a call-back number, the full text with only personal fields masked).
     */
    markers: z.strictObject({
      /** The window markers are counted over (a name from `windows`). */
      window: z.string().min(1),
      /** Registrable domains that many tenants link to by design: the platform's own, public services. */
      sharedDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/)),
      /**
       * The platform's built-in templates, registered by operators: the links and numbers in
       * their fixed text are the platform's, shared by every clinic that sends them, never one
       * actor's marker. Fields the product fills are in braces ({brand}, {name}, {link}, ...).
       */
      platformTemplates: z.array(z.strictObject({ id: z.string().min(1).max(100), text: z.string().min(1).max(1600) })),
      /** Sender numbers remembered per marker (more only saturate the count). */
      maxSenders: z.number().int().min(4).max(10_000),
      /** Tenants remembered per marker. */
      maxTenants: z.number().int().min(2).max(1000),
    }),
    rules: z.array(SnowshoeRuleSchema).min(1),
  })
  .superRefine((data, ctx) => {
    if (data.similarity.bands * data.similarity.rows > data.similarity.hashes) {
      ctx.addIssue({ code: 'custom', message: 'bands x rows must not exceed hashes', path: ['similarity'] });
    }
    const windows = new Set(data.windows.map((w) => w.name));
    if (!windows.has(data.markers.window)) ctx.addIssue({ code: 'custom', message: `unknown window "${data.markers.window}"`, path: ['markers', 'window'] });
    data.rules.forEach((rule, i) => {
      if (!windows.has(rule.window)) ctx.addIssue({ code: 'custom', message: `unknown window "${rule.window}"`, path: ['rules', i, 'window'] });
    });
    if (new Set(data.rules.map((r) => r.name)).size !== data.rules.length) ctx.addIssue({ code: 'custom', message: 'rule names must be unique', path: ['rules'] });
  });
export type SnowshoeRules = z.infer<typeof SnowshoeRulesSchema>;
export type WindowSpec = SnowshoeRules['windows'][number];

export const TextNormalisationSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string(),
  sources: SourcesSchema,
  /** Compliance wording that every campaign carries: left out before comparing content. */
  boilerplate: z.array(z.string().min(1)).min(1),
  /** The word after one of these is taken for a name and masked. */
  greetings: z.array(z.string().min(1)),
  stopwords: z.array(z.string().min(1)),
});
export type TextNormalisation = z.infer<typeof TextNormalisationSchema>;

export function loadSnowshoeRules(url: URL = new URL('../rule-data/snowshoe-rules.v1.json', import.meta.url)): SnowshoeRules {
  return SnowshoeRulesSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

export function loadTextNormalisation(url: URL = new URL('../rule-data/text-normalisation.v1.json', import.meta.url)): TextNormalisation {
  return TextNormalisationSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

/** The rule data and what the detector derives from it once. */
export interface RuleData {
  snowshoe: SnowshoeRules;
  text: TextRules;
  /** Link domains and numbers many tenants use by design (the platform's templates too): never an actor marker. */
  shared: SharedByDesign;
}

/** Every rule data file, validated. Throws at start-up rather than detecting with broken rules. */
export function loadRuleData(): RuleData {
  const snowshoe = loadSnowshoeRules();
  return {
    snowshoe,
    text: new TextRules(loadTextNormalisation()),
    shared: sharedByDesign(snowshoe.markers),
  };
}
