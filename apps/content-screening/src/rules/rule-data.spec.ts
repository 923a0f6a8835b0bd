import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAUSE_IDS } from '@sms/contracts';
import { CountryPacksSchema, GATED_CATEGORIES, LEXICON_CATEGORIES, LexiconsSchema, PhraseSchema, loadRuleData } from './rule-data.js';

const data = loadRuleData();

describe('rule data', () => {
  it('loads and validates every file, each with a version and sources', () => {
    for (const file of [data.lexicons, data.packs, data.urls, data.policy]) {
      assert.match(file.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);
      assert.ok(file.sources.length > 0);
    }
  });

  it('has packs for US, CA and GB, and an unknown-country pack that is the strictest', () => {
    for (const country of ['US', 'CA', 'GB', 'ZZ']) assert.ok(data.packs.packs[country], country);
    const strictest = data.packs.packs[data.packs.fallback]!;
    for (const category of GATED_CATEGORIES) {
      const ages = Object.values(data.packs.packs).flatMap((pack) => {
        const age = pack.legalAges[category];
        return age ? [age.default, ...Object.values(age.regions ?? {})] : [];
      });
      const fallbackAge = strictest.legalAges[category]?.default;
      if (strictest.categories[category]?.action === 'age_gate') assert.equal(fallbackAge, Math.max(...ages), category);
      else assert.equal(strictest.categories[category]?.action, 'block', category);
    }
  });

  it('names a source that exists for every pack rule', () => {
    const sources = new Set(data.packs.sources.map((s) => s.id));
    for (const pack of Object.values(data.packs.packs)) {
      for (const rule of Object.values(pack.categories)) assert.ok(sources.has(rule.source), rule.source);
      for (const age of Object.values(pack.legalAges)) assert.ok(sources.has(age.source), age.source);
    }
  });

  it('cites only catalogue clauses and covers every lexicon category', () => {
    for (const outcome of Object.values(data.policy.categories)) for (const clause of outcome.clauses) assert.ok(CLAUSE_IDS.includes(clause));
    for (const category of LEXICON_CATEGORIES) assert.ok(data.lexicons.categories[category].terms.length > 0, category);
    for (const source of data.optOutWording.data.sources) for (const clause of source.clauses ?? []) assert.ok((CLAUSE_IDS as readonly string[]).includes(clause), clause);
  });

  it('reads the opt-out wording through its own phrases: every purpose and not-purpose is a phrase here too', () => {
    for (const phrase of [...data.optOutWording.data.purposes, ...data.optOutWording.data.notPurposes]) assert.ok(PhraseSchema.safeParse(phrase).success, phrase);
  });

  it('refuses a malformed phrase and a pack that gates without an age', () => {
    assert.equal(PhraseSchema.safeParse('CBD Oil').success, false);
    assert.equal(PhraseSchema.safeParse('cbd  oil').success, false);
    assert.equal(PhraseSchema.safeParse('check_up|checkup #').success, true);
    const broken = structuredClone(data.packs);
    delete broken.packs['US']!.legalAges.alcohol;
    assert.equal(CountryPacksSchema.safeParse(broken).success, false);
  });

  it('refuses a firm phrase that is not one of its category’s terms, naming where it is', () => {
    const lexicons = structuredClone(data.lexicons);
    lexicons.categories.hate.firm = [...(lexicons.categories.hate.firm ?? []), 'kill them all'];
    const parsed = LexiconsSchema.safeParse(lexicons);
    assert.equal(parsed.success, false);
    assert.deepEqual(
      parsed.error?.issues.map((i) => [i.path.join('.'), i.message]),
      [[`categories.hate.firm.${lexicons.categories.hate.firm.length - 1}`, '"kill them all" is not one of the category\'s terms']],
    );
  });
});
