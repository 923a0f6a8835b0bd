import type { ClauseId, MessageEnvelope, Verdict } from '@sms/contracts';
import type { ContentRules } from './content-rules.js';
import { normalise, originalSpan } from './normalise.js';

export interface Finding {
  category: string;
  clause: ClauseId;
  decision: 'block' | 'hold';
  /** The matched text as the sender wrote it, and where. */
  evidence: { text: string; start: number; end: number; normalisation: string[] };
}

export interface CompiledRules {
  version: string;
  categories: {
    name: string;
    clause: ClauseId;
    decision: 'block' | 'hold';
    countries: Set<string>;
    pattern: RegExp;
    benign: RegExp | null;
  }[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (terms: string[]): string =>
  [...terms].sort((a, b) => b.length - a.length).map((t) => escape(t.toLowerCase()).replace(/[ -]/g, '[\\s-]?')).join('|');

/** Compiles the rule data once; screening a message then costs one pass per category. */
export function compileRules(rules: ContentRules): CompiledRules {
  return {
    version: rules.version,
    categories: Object.entries(rules.categories).map(([name, c]) => ({
      name,
      clause: c.clause,
      decision: c.decision,
      countries: new Set(c.countries),
      pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternation(c.terms)})(?![\\p{L}\\p{N}])`, 'gu'),
      benign: c.benign.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternation(c.benign)})(?![\\p{L}\\p{N}])`, 'gu') : null,
    })),
  };
}

/** Every category found in a body, with evidence in the original text. */
export function findCategories(body: string, country: string, rules: CompiledRules): Finding[] {
  const normalised = normalise(body);
  const findings: Finding[] = [];
  for (const category of rules.categories) {
    if (!category.countries.has(country)) continue;
    const harmless: [number, number][] = category.benign
      ? [...normalised.text.matchAll(category.benign)].map((m) => [m.index, m.index + m[0].length])
      : [];
    for (const match of normalised.text.matchAll(category.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (harmless.some(([s, e]) => s <= start && end <= e)) continue;
      findings.push({
        category: category.name,
        clause: category.clause,
        decision: category.decision,
        evidence: { ...originalSpan(body, normalised, start, end), normalisation: [...normalised.applied].sort() },
      });
      break;
    }
  }
  return findings;
}

/** The content-screening verdict for one message. */
export function screenMessage(envelope: MessageEnvelope, rules: CompiledRules, now: Date): Verdict {
  const findings = findCategories(envelope.message.body, envelope.recipient.country, rules);
  const at = now.toISOString();
  const checked = [...new Set(rules.categories.map((c) => c.clause))];
  if (findings.length === 0) {
    return { stage: 'content-screening', decision: 'pass', clauses: checked, reason: 'no prohibited or gated content found', facts: { rulesVersion: rules.version, categories: [] }, at };
  }
  const decision = findings.some((f) => f.decision === 'block') ? 'block' : 'hold';
  const reason = findings
    .map((f) => `${f.category}: "${f.evidence.text}" at ${f.evidence.start}-${f.evidence.end}${f.evidence.normalisation.length > 0 ? ` (seen after ${f.evidence.normalisation.join(', ')})` : ''}`)
    .join('; ');
  return {
    stage: 'content-screening',
    decision,
    clauses: [...new Set(findings.map((f) => f.clause))],
    reason,
    facts: { rulesVersion: rules.version, categories: findings.map((f) => f.category) },
    at,
  };
}
