import type { OptOutWording } from '@sms/text';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import wordListPath from 'word-list';
import { compileUrlLists, type CompiledUrlLists } from './links.js';
import { loadTextModel, type TextModel } from './model/text-model.js';
import { flagsOf } from './normalise.js';
import { PhraseTrie, type PhraseEntry, type Role } from './phrase-trie.js';
import { LEXICON_CATEGORIES, ruleDataVersion, type RuleData } from './rule-data.js';
import type { TokenizeContext } from './tokenize.js';

/** The rule data compiled once into matchers: screening a message then needs no set-up. */
export interface CompiledRules {
  version: string;
  data: RuleData;
  /** Stage two, read once from the rule data. */
  model: TextModel;
  trie: PhraseTrie;
  tokenizeContext: TokenizeContext;
  urls: CompiledUrlLists;
  /** Cue phrases that do not count where the message speaks of a patient's own care, by category. */
  weakCues: Map<string, Set<string>>;
  /** Windows of the combinations, by group and id. */
  comboWindows: Map<string, number>;
  numberSignals: { id: string; weight: number; patterns: RegExp[] }[];
  textPatterns: { id: string; weight: number; regex: RegExp; hint: string }[];
  /** The shared opt-out wording: keywords, verbs, links; its purposes are in the trie, read through disguises. */
  optOutWording: OptOutWording;
  /** Words that are no invented opt-out keyword. */
  notKeywords: Set<string>;
  /** Normalisations that count as filter evasion (bit flags). */
  evasionFlags: number;
}

const joinShape = (first: number, last: number, length: number): number => (first * 128 + last) * 64 + Math.min(length, 63);

/** The group of the fraud lexicon's warnings among the benign phrases. */
export const FRAUD_WARNING = 'fraud-warning';

export const comboKey = (group: string, id: string): string => `${group}:${id}`;

const MIN_JOINABLE = 5;
const MIN_CORRECTABLE = 6;
const MAX_REMEMBERED = 50_000;

function entry(role: Role, group: string, phrase: string, extra: Partial<PhraseEntry> = {}): PhraseEntry {
  return { role, group, id: group, weight: 1, tag: null, part: 0, phrase, ...extra };
}

/** Every word a phrase may contain: a split or misspelled one can still be read back. */
function phraseWords(phrase: string): string[] {
  return phrase
    .split(' ')
    .flatMap((slot) => (slot.endsWith('?') ? slot.slice(0, -1) : slot).split(/[|_]/))
    .filter((w) => /^[a-z]+$/.test(w));
}

/** Word-deletion keys for finding a term within one edit of a word (symmetric delete). */
function deletions(word: string, from = 0): string[] {
  const keys: string[] = [];
  for (let i = from; i < word.length; i++) keys.push(word.slice(0, i) + word.slice(i + 1));
  return keys;
}

let english: Set<string> | undefined;
/** English words (word-list, about 275,000): an ordinary word is never read as a misspelling. */
function englishWords(): Set<string> {
  english ??= new Set(readFileSync(wordListPath, 'utf8').split('\n'));
  return english;
}

let spanish: Set<string> | undefined;
/**
 * Spanish words (an-array-of-spanish-words, about 636,000, accents removed as the normaliser
 * removes them): in Spanish text an ordinary Spanish word is never read as a misspelling
 * ("camino" is not "casino", "indicó" not "indica"); in English text it still may be.
 */
function spanishWords(): Set<string> {
  if (!spanish) {
    spanish = new Set<string>();
    for (const word of createRequire(import.meta.url)('an-array-of-spanish-words') as string[]) spanish.add(word.normalize('NFD').replace(/\p{M}/gu, ''));
  }
  return spanish;
}

export function compileRules(data: RuleData): CompiledRules {
  const trie = new PhraseTrie();
  const comboWindows = new Map<string, number>();
  const joinable = new Set<string>();
  const lexicons = data.lexicons;
  const weakCues = new Map<string, Set<string>>();

  for (const [cue, phrases] of Object.entries(lexicons.cues)) {
    for (const phrase of phrases) {
      trie.add(phrase, entry('cue', cue, phrase));
      for (const word of phraseWords(phrase)) joinable.add(word);
    }
  }
  for (const category of LEXICON_CATEGORIES) {
    const rules = lexicons.categories[category];
    const tagOf = new Map<string, string>();
    for (const [tag, phrases] of Object.entries(rules.tags ?? {})) for (const phrase of phrases) tagOf.set(phrase, tag);
    const firm = new Set(rules.firm ?? []);
    for (const phrase of rules.terms) {
      trie.add(phrase, entry('term', category, phrase, { tag: tagOf.get(phrase) ?? null, firm: firm.has(phrase) }));
      for (const word of phraseWords(phrase)) joinable.add(word);
    }
    for (const context of rules.context ?? []) {
      for (const phrase of context.terms) {
        trie.add(phrase, entry('context', category, phrase, { id: context.cue }));
        for (const word of phraseWords(phrase)) joinable.add(word);
      }
    }
    for (const combo of rules.combos ?? []) {
      comboWindows.set(comboKey(category, combo.id), combo.window);
      combo.all.forEach((phrases, part) => {
        for (const phrase of phrases) {
          trie.add(phrase, entry('combo', category, phrase, { id: combo.id, part, weight: combo.weight ?? 1 }));
          for (const word of phraseWords(phrase)) joinable.add(word);
        }
      });
    }
    for (const phrase of rules.benign) trie.add(phrase, entry('benign', category, phrase));
    for (const phrase of rules.care?.phrases ?? []) trie.add(phrase, entry('care', category, phrase));
    if (rules.care) weakCues.set(category, new Set(rules.care.weakCues));
  }
  for (const signal of lexicons.fraud.signals) {
    for (const phrase of signal.phrases) {
      trie.add(phrase, entry('signal', 'fraud', phrase, { id: signal.id, weight: signal.weight }));
      for (const word of phraseWords(phrase)) joinable.add(word);
    }
  }
  for (const combo of lexicons.fraud.combos) {
    comboWindows.set(comboKey('fraud', combo.id), combo.window);
    combo.all.forEach((phrases, part) => {
      for (const phrase of phrases) trie.add(phrase, entry('combo', 'fraud', phrase, { id: combo.id, part, weight: combo.weight }));
    });
  }
  for (const phrase of lexicons.fraud.benign) trie.add(phrase, entry('benign', 'fraud', phrase));
  for (const phrase of lexicons.fraud.warnings) trie.add(phrase, entry('benign', FRAUD_WARNING, phrase));
  for (const signal of lexicons.promotional.signals) for (const phrase of signal.phrases) trie.add(phrase, entry('promo', 'promotional', phrase, { id: signal.id, weight: signal.weight }));
  for (const phrase of lexicons.promotional.benign) trie.add(phrase, entry('benign', 'promotional', phrase));
  for (const signal of lexicons.promotional.advocacy) for (const phrase of signal.phrases) trie.add(phrase, entry('advocacy', 'advocacy', phrase, { id: signal.id, weight: signal.weight }));
  for (const phrase of data.optOutWording.data.purposes) trie.add(phrase, entry('purpose', 'opt-out', phrase));
  for (const phrase of data.optOutWording.data.notPurposes) trie.add(phrase, entry('notPurpose', 'opt-out', phrase));

  // Misspellings: every correctable term and its one-letter deletions, pointing at the term.
  const corrections = new Map<string, string | null>();
  for (const term of joinable) {
    if (term.length < MIN_CORRECTABLE) continue;
    for (const key of [term, ...deletions(term)]) {
      const known = corrections.get(key);
      corrections.set(key, known === undefined || known === term ? term : null);
    }
  }
  // Shapes (first letter, length) a misspelling of some term can have: most words are ruled out at once.
  const shapes = new Set<number>();
  for (const term of joinable) {
    if (term.length < MIN_CORRECTABLE) continue;
    for (let length = term.length - 1; length <= term.length + 1; length++) shapes.add(term.charCodeAt(0) * 64 + length);
  }
  const joinableWords = [...joinable].filter((w) => w.length >= MIN_JOINABLE);
  // (first letter, last letter, length) of every joinable term: two words whose shape is not one are never joined.
  const joinShapes = new Set(joinableWords.map((w) => joinShape(w.charCodeAt(0), w.charCodeAt(w.length - 1), w.length)));
  const words = englishWords();
  const spanishDictionary = spanishWords();
  const notMisspellings = new Set(lexicons.notMisspellings);
  const isWord = (word: string): boolean => words.has(word) || notMisspellings.has(word);
  // Words repeat from message to message: remember what each one corrects to (bounded), in
  // English text and in Spanish text.
  const corrected = new Map<string, string | null>();
  const correctedInSpanish = new Map<string, string | null>();
  const tokenizeContext: TokenizeContext = {
    joinable: new Set(joinableWords),
    mayJoin: (first, second) => joinShapes.has(joinShape(first.charCodeAt(0), second.charCodeAt(second.length - 1), first.length + second.length)),
    hasPair: (first, second) => trie.hasPair(first, second),
    isPhraseStart: (token) => trie.startsWith(token),
    isWord,
    isSpanishWord: (word) => spanishDictionary.has(word),
    mayBeMisspelling: (word) => shapes.has(word.charCodeAt(0) * 64 + word.length),
    correct: (word, inSpanish) => {
      if (!shapes.has(word.charCodeAt(0) * 64 + word.length)) return undefined;
      const memo = inSpanish ? correctedInSpanish : corrected;
      const known = memo.get(word);
      if (known !== undefined) return known ?? undefined;
      if (memo.size >= MAX_REMEMBERED) memo.clear();
      const term = correctOnce(word);
      // An ordinary word is never a misspelling, whatever it is close to.
      const result = term !== undefined && !isWord(word) && !(inSpanish && spanishDictionary.has(word)) ? term : null;
      memo.set(word, result);
      return result ?? undefined;
    },
  };

  function correctOnce(word: string): string | undefined {
    // Keys that drop the first letter cannot meet a term with the same first letter.
    for (const key of [word, ...deletions(word, 1)]) {
      const term = corrections.get(key);
      if (term && term !== word && term[0] === word[0] && Math.abs(term.length - word.length) <= 1) return term;
    }
    return undefined;
  }

  return {
    version: ruleDataVersion(data),
    data,
    model: loadTextModel(data.model),
    trie,
    tokenizeContext,
    urls: compileUrlLists(data.urls),
    comboWindows,
    weakCues,
    numberSignals: lexicons.fraud.numbers.map((n) => ({ id: n.id, weight: n.weight, patterns: n.patterns.map((p) => new RegExp(p)) })),
    textPatterns: lexicons.fraud.textPatterns.map((t) => ({ id: t.id, weight: t.weight, regex: new RegExp(t.pattern), hint: t.hint })),
    optOutWording: data.optOutWording,
    notKeywords: new Set(data.policy.optOut.notKeywords),
    evasionFlags: flagsOf(data.policy.evasionNormalisations),
  };
}
