import type { TokenView } from '@sms/text';
import { comboKey, FRAUD_WARNING, type CompiledRules } from './compile.js';
import { findLinks, hasBrokenScheme, type Link } from './links.js';
import { INVISIBLE, flagNames, normalise, originalSpan, type NormalisedText } from './normalise.js';
import type { PhraseMatch } from './phrase-trie.js';
import { LEXICON_CATEGORIES, type LexiconCategory } from './rule-data.js';
import { NUMBER, WORD, tokenize, type Token } from './tokenize.js';

/** A stretch of the message as the sender wrote it, and the normalisations needed to see it. */
export interface Span {
  text: string;
  start: number;
  end: number;
  normalisation: string[];
  /** Bit flags of `normalisation`. */
  flags: number;
}

/** A category's words found in a message (whatever the country or the recipient's age make of them). */
export interface CategoryHit {
  category: LexiconCategory;
  evidence: Span;
  /** Tags of every phrase found (a pack may exempt one: CBD in GB). */
  tags: Set<string>;
  /** Tags carried by every phrase found: when all found phrases carry an exempt tag, the hit is exempt. */
  allTagged: Set<string>;
  /** Evidence that needed evasive normalisation, if any phrase did. */
  evasive: Span | null;
  /** A phrase found is one of the category's `firm` terms: the hit needs no corroboration. */
  firm: boolean;
}

export interface ScoredSignal {
  id: string;
  weight: number;
  evidence: Span | null;
  /** A match of the signal that needed evasive normalisation, if any did. */
  evasive?: Span | null;
}

export interface FraudAssessment {
  score: number;
  signals: ScoredSignal[];
  /** The brand a look-alike link pretends to be. */
  impersonates: string | null;
}

export interface OptOutWording {
  /** Standard opt-out instruction ("Reply STOP to opt out"), if any. */
  standard: Span | null;
  /** Instructions with an invented or disguised keyword ("text NOPE to quit", "reply ST0P"). */
  evasive: { span: Span; keyword: string; disguised: boolean }[];
}

/** Everything the words, links and numbers of one message show, before any fact about the recipient is used. */
export interface Analysis {
  normalised: NormalisedText;
  tokens: Token[];
  hits: CategoryHit[];
  /** Categories of which a word was seen short of a hit (a context word with no cue beside it, one half of a pair), with the first such word. */
  partial: Map<LexiconCategory, Span>;
  /**
   * Categories whose words the message uses only harmlessly: a benign or care phrase of the
   * category, and no hit or partial word of it ("no smoking or vaping for 3 days", "your nicotine
   * patches are ready").
   */
  harmless: Set<LexiconCategory>;
  fraud: FraudAssessment;
  malware: Span | null;
  links: Link[];
  shortenedLinks: Span[];
  promotional: ScoredSignal[];
  promotionalScore: number;
  advocacy: ScoredSignal[];
  advocacyScore: number;
  optOut: OptOutWording;
  /** Evasion seen on its own: look-alike letters mixed into a word, invisible characters inside a word. */
  disguisedWords: Span[];
}

interface Buckets {
  terms: PhraseMatch[];
  context: PhraseMatch[];
  cues: PhraseMatch[];
  combos: PhraseMatch[];
  benign: PhraseMatch[];
  signals: PhraseMatch[];
  promo: PhraseMatch[];
  advocacy: PhraseMatch[];
  purposes: PhraseMatch[];
  care: PhraseMatch[];
  notPurposes: PhraseMatch[];
}

// A message has a few dozen matches at most: plain arrays scanned by group beat maps.
function bucket(matches: PhraseMatch[]): Buckets {
  const b: Buckets = { terms: [], context: [], cues: [], combos: [], benign: [], signals: [], promo: [], advocacy: [], purposes: [], care: [], notPurposes: [] };
  for (const match of matches) {
    switch (match.entry.role) {
      case 'term':
        b.terms.push(match);
        break;
      case 'context':
        b.context.push(match);
        break;
      case 'cue':
        b.cues.push(match);
        break;
      case 'combo':
        b.combos.push(match);
        break;
      case 'benign':
        b.benign.push(match);
        break;
      case 'signal':
        b.signals.push(match);
        break;
      case 'promo':
        b.promo.push(match);
        break;
      case 'advocacy':
        b.advocacy.push(match);
        break;
      case 'purpose':
        b.purposes.push(match);
        break;
      case 'care':
        b.care.push(match);
        break;
      case 'notPurpose':
        b.notPurposes.push(match);
        break;
      case 'verb':
        break;
    }
  }
  return b;
}

const ofGroup = (matches: PhraseMatch[], group: string): PhraseMatch[] => matches.filter((m) => m.entry.group === group);

const contains = (outer: PhraseMatch, inner: PhraseMatch): boolean => outer.first <= inner.first && inner.last <= outer.last;
const distance = (a: PhraseMatch, b: PhraseMatch): number => Math.max(0, b.first - a.last, a.first - b.last);
const overlaps = (a: PhraseMatch, b: PhraseMatch): boolean => a.first <= b.last && b.first <= a.last;
const longestFirst = (a: PhraseMatch, b: PhraseMatch): number => b.last - b.first - (a.last - a.first) || a.first - b.first;

export function analyse(body: string, rules: CompiledRules): Analysis {
  const normalised = normalise(body);
  const tokens = tokenize(normalised, rules.tokenizeContext);
  const matches = rules.trie.match(tokens);
  const b = bucket(matches);
  const span = (first: number, last: number, flags: number): Span => {
    const original = originalSpan(normalised, tokens[first]!.start, tokens[last]!.end);
    return { ...original, normalisation: flagNames(flags), flags };
  };
  const spanOf = (match: PhraseMatch): Span => span(match.first, match.last, match.flags);
  const harmless = (match: PhraseMatch, group: string): boolean => b.benign.some((benign) => benign.entry.group === group && contains(benign, match));

  const hits: CategoryHit[] = [];
  const partial = new Map<LexiconCategory, Span>();
  for (const category of LEXICON_CATEGORIES) {
    const terms = b.terms.length > 0 ? ofGroup(b.terms, category) : null;
    const context = b.context.length > 0 ? ofGroup(b.context, category) : null;
    const combos = b.combos.length > 0 ? ofGroup(b.combos, category) : null;
    if (!terms?.length && !context?.length && !combos?.length) continue;
    const found: PhraseMatch[] = [];
    for (const match of terms ?? []) if (!harmless(match, category)) found.push(match);
    // Where the message speaks of a patient's own care, only a strong cue gives a word its trade.
    const weak = b.care.some((c) => c.entry.group === category) ? rules.weakCues.get(category) : undefined;
    for (const match of context ?? []) {
      if (harmless(match, category)) continue;
      const window = rules.data.lexicons.window;
      const cue = b.cues.find((c) => c.entry.group === match.entry.id && !overlaps(c, match) && distance(c, match) <= window && !weak?.has(c.entry.phrase));
      // A disguised cue ("no pr35cription") disguises the finding too.
      if (cue) found.push(cue.flags & rules.evasionFlags ? { ...match, flags: match.flags | cue.flags } : match);
    }
    for (const match of combos ?? []) {
      if (match.entry.part !== 0 || harmless(match, category)) continue;
      const window = rules.comboWindows.get(comboKey(category, match.entry.id)) ?? 0;
      const partner = combos?.find((m) => m.entry.id === match.entry.id && m.entry.part === 1 && !overlaps(m, match) && distance(m, match) <= window);
      if (partner) found.push({ ...match, first: Math.min(match.first, partner.first), last: Math.max(match.last, partner.last), flags: match.flags | partner.flags });
    }
    if (found.length === 0) {
      const seen = [...(context ?? []), ...(combos ?? [])].find((m) => !harmless(m, category));
      if (seen) partial.set(category, spanOf(seen));
      continue;
    }
    found.sort(longestFirst);
    const tags = new Set<string>();
    for (const match of found) if (match.entry.tag) tags.add(match.entry.tag);
    // A tag exempts the hit only when every phrase found carries it.
    const allTagged = new Set([...tags].filter((tag) => found.every((m) => m.entry.tag === tag)));
    // Any disguised phrase of the category counts, not only the one shown as evidence.
    const evasiveMatch = found.find((m) => m.flags & rules.evasionFlags) ?? [...(terms ?? []), ...(combos ?? [])].find((m) => m.flags & rules.evasionFlags && !harmless(m, category));
    hits.push({ category, evidence: spanOf(found[0]!), tags, allTagged, evasive: evasiveMatch ? spanOf(evasiveMatch) : null, firm: found.some((m) => m.entry.firm === true) });
  }

  const hitOrPartial = new Set<LexiconCategory>([...hits.map((h) => h.category), ...partial.keys()]);
  const harmlessCategories = new Set<LexiconCategory>(
    [...b.benign, ...b.care].map((m) => m.entry.group as LexiconCategory).filter((c) => (LEXICON_CATEGORIES as readonly string[]).includes(c) && !hitOrPartial.has(c)),
  );

  const links = findLinks(normalised.text, rules.urls);
  const linkSpan = (link: Link): Span => {
    const original = originalSpan(normalised, link.start, link.end);
    return { ...original, normalisation: [], flags: 0 };
  };
  const malwareLink = links.find((l) => l.malware !== null);
  const malware = malwareLink ? linkSpan(malwareLink) : null;
  // A discount already given ("was applied to your bill") offers nothing: its words are no promotion.
  const given = ofGroup(b.benign, 'promotional');
  const promotional = sumSignals(
    b.promo.filter((m) => !given.some((x) => overlaps(x, m))),
    spanOf,
  );
  const advocacy = sumSignals(b.advocacy, spanOf);
  const disguisedWords: Span[] = [];
  tokens.forEach((token, index) => {
    if (token.kind === WORD && (token.mixedScript || token.flags & INVISIBLE)) disguisedWords.push(span(index, index, token.flags));
  });

  return {
    normalised,
    tokens,
    hits,
    partial,
    harmless: harmlessCategories,
    fraud: assessFraud(b, tokens, normalised, links, rules, spanOf, linkSpan),
    malware,
    links,
    shortenedLinks: links.filter((l) => l.shortener).map(linkSpan),
    promotional: promotional.signals,
    promotionalScore: promotional.score,
    advocacy: advocacy.signals,
    advocacyScore: advocacy.score,
    optOut: findOptOutWording(
      tokens,
      b.purposes.filter((p) => !b.notPurposes.some((n) => contains(n, p))),
      normalised,
      rules,
      span,
    ),
    disguisedWords,
  };
}

/** Weighted signals, each counted once, strongest evidence first. */
function sumSignals(matches: PhraseMatch[], spanOf: (m: PhraseMatch) => Span, evasionFlags = 0): { signals: ScoredSignal[]; score: number } {
  if (matches.length === 0) return { signals: [], score: 0 };
  const best = new Map<string, PhraseMatch>();
  const evasive = new Map<string, PhraseMatch>();
  for (const match of matches) {
    const known = best.get(match.entry.id);
    if (!known || match.last - match.first > known.last - known.first) best.set(match.entry.id, match);
    if (match.flags & evasionFlags && !evasive.has(match.entry.id)) evasive.set(match.entry.id, match);
  }
  const signals = [...best.values()].map((m) => {
    const disguised = evasive.get(m.entry.id);
    return { id: m.entry.id, weight: m.entry.weight, evidence: spanOf(m), evasive: disguised ? spanOf(disguised) : null };
  });
  return { signals, score: signals.reduce((sum, s) => sum + s.weight, 0) };
}

/** How many tokens past its end a scam warning reaches, within its sentence. */
const WARNING_REACH = 12;
const SENTENCE_END = /[.!?;:]/;

function assessFraud(b: Buckets, tokens: Token[], normalised: NormalisedText, links: Link[], rules: CompiledRules, spanOf: (m: PhraseMatch) => Span, linkSpan: (l: Link) => Span): FraudAssessment {
  const fraud = rules.data.lexicons.fraud;
  // A benign phrase ("never share", "will never ask") cancels the signals it touches.
  const benign = ofGroup(b.benign, 'fraud');
  // A warning ("we will never ask you to", "beware of texts that") speaks of what follows it in its sentence.
  const warnings = ofGroup(b.benign, FRAUD_WARNING);
  const warned = (m: PhraseMatch): boolean =>
    warnings.some((w) => w.last < m.first && m.first - w.last <= WARNING_REACH && !SENTENCE_END.test(normalised.text.slice(tokens[w.last]!.end, tokens[m.first]!.start)));
  const cancelled = (m: PhraseMatch): boolean => benign.some((x) => x.first <= m.last && m.first <= x.last + 1) || warned(m);
  const live = b.signals.filter((m) => !cancelled(m));
  const { signals } = sumSignals(live, spanOf, rules.evasionFlags);
  const have = new Set(signals.map((s) => s.id));
  const combos = ofGroup(b.combos, 'fraud');
  for (const match of combos) {
    if (match.entry.part !== 0 || have.has(match.entry.id) || cancelled(match)) continue;
    const window = rules.comboWindows.get(comboKey('fraud', match.entry.id)) ?? 0;
    const partner = combos.find((m) => m.entry.id === match.entry.id && m.entry.part === 1 && !overlaps(m, match) && distance(m, match) <= window);
    if (!partner) continue;
    const joined = { ...match, first: Math.min(match.first, partner.first), last: Math.max(match.last, partner.last), flags: match.flags | partner.flags };
    signals.push({ id: match.entry.id, weight: match.entry.weight, evidence: spanOf(joined) });
    have.add(match.entry.id);
  }
  let impersonates: string | null = null;
  for (const link of links) {
    if (link.impersonates) impersonates ??= link.impersonates;
    for (const id of link.signals) {
      const weight = fraud.linkSignals[id];
      if (weight === undefined || have.has(id)) continue;
      signals.push({ id, weight, evidence: linkSpan(link) });
      have.add(id);
    }
  }
  if (hasBrokenScheme(normalised.text) && fraud.linkSignals['broken_link'] !== undefined && !have.has('broken_link')) {
    const at = Math.max(0, normalised.text.search(/\bh(?:tt|xx)ps?[:/]/));
    const original = originalSpan(normalised, at, Math.min(normalised.text.length, at + 8));
    signals.push({ id: 'broken_link', weight: fraud.linkSignals['broken_link'], evidence: { ...original, normalisation: [], flags: 0 } });
    have.add('broken_link');
  }
  for (const pattern of rules.textPatterns) {
    if (have.has(pattern.id) || !normalised.text.includes(pattern.hint)) continue;
    const found = pattern.regex.exec(normalised.text);
    if (!found) continue;
    const original = originalSpan(normalised, found.index, found.index + found[0].length);
    signals.push({ id: pattern.id, weight: pattern.weight, evidence: { ...original, normalisation: [], flags: 0 } });
    have.add(pattern.id);
  }
  for (const run of phoneRuns(tokens, normalised)) {
    for (const number of rules.numberSignals) {
      if (have.has(number.id) || !number.patterns.some((p) => p.test(run.digits))) continue;
      const original = originalSpan(normalised, run.start, run.end);
      signals.push({ id: number.id, weight: number.weight, evidence: { ...original, normalisation: [], flags: 0 } });
      have.add(number.id);
    }
  }
  signals.sort((x, y) => y.weight - x.weight);
  return { score: Math.round(signals.reduce((sum, s) => sum + s.weight, 0) * 100) / 100, signals, impersonates };
}

const NUMBER_GAP = /^[\s\-.()]{0,3}$/;

/** Digits of phone-number-like runs ("0800 542 0826", "+44 7700 900123"), with their spans in the normalised text. */
function phoneRuns(tokens: Token[], normalised: NormalisedText): { digits: string; start: number; end: number }[] {
  const runs: { digits: string; start: number; end: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== NUMBER) continue;
    let digits = token.forms[0]!;
    let j = i;
    while (j + 1 < tokens.length && tokens[j + 1]!.kind === NUMBER && NUMBER_GAP.test(normalised.text.slice(tokens[j]!.end, tokens[j + 1]!.start))) {
      j++;
      digits += tokens[j]!.forms[0];
    }
    if (digits.length >= 7) runs.push({ digits, start: token.start, end: tokens[j]!.end });
    i = j;
  }
  return runs;
}

/** How the shared opt-out wording reads screening's tokens: every spelling a token may stand for counts as a keyword's. */
const WORDING_VIEW: TokenView<Token> = {
  kind: (t) => (t.kind === WORD ? 'word' : t.kind === NUMBER ? 'number' : 'other'),
  text: (t) => t.forms[0]!,
  spellings: (t) => t.forms,
};

/**
 * Opt-out instructions ("Reply STOP to opt out", "To unsubscribe, text STOP", "STOP to end"),
 * as the shared opt-out wording finds them, over purposes the trie read through disguises; each
 * keyword is then standard, disguised ("reply ST0P") or invented ("text NOPE to quit").
 */
function findOptOutWording(tokens: Token[], purposes: PhraseMatch[], normalised: NormalisedText, rules: CompiledRules, span: (first: number, last: number, flags: number) => Span): OptOutWording {
  const result: OptOutWording = { standard: null, evasive: [] };
  const wording = rules.optOutWording;
  wording.findInstructions(tokens, WORDING_VIEW, purposes, ({ keyword: k, verb }) => {
    const keyword = tokens[k]!;
    const written = keyword.forms[0]!;
    const disguised = (keyword.flags & rules.evasionFlags) !== 0;
    const from = verb ?? k;
    if (wording.standardKeywords.has(written) && !disguised) {
      result.standard ??= span(from, k, 0);
      return;
    }
    if (keyword.forms.some((f) => wording.standardKeywords.has(f))) {
      result.evasive.push({ span: span(from, k, keyword.flags), keyword: written, disguised: true });
      return;
    }
    if (verb === null || rules.notKeywords.has(written) || wording.otherLanguageKeywords.has(written)) return;
    // An invented keyword is written as one ("text NOPE to quit"); a lower-case word is ordinary text.
    const original = originalSpan(normalised, keyword.start, keyword.end).text;
    const quoted = /["'“”‘’]/.test(normalised.text.slice(Math.max(0, keyword.start - 1), keyword.start));
    if ((original.length >= 2 && original === original.toUpperCase() && /[A-Z]/.test(original)) || quoted) {
      result.evasive.push({ span: span(from, k, keyword.flags), keyword: written, disguised: false });
    }
  });
  return result;
}
