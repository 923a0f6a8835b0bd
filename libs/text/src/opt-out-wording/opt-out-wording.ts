import { loadOptOutWordingData, type OptOutWordingData } from './opt-out-wording-data.js';
import { wordingTokens, type WordingToken } from './wording-tokens.js';

/** How the wording reads a caller's tokens, whatever their shape (content screening's tokens, the snowshoeing detector's strings). */
export interface TokenView<T> {
  kind(token: T): 'word' | 'number' | 'other';
  /** The token as written, lower case and folded. */
  text(token: T): string;
  /** Every spelling the token may stand for, the written one first (digits read as letters...); the written one alone when omitted. */
  spellings?(token: T): readonly string[];
}

/** Tokens first to last, inclusive. */
export interface TokenRange {
  first: number;
  last: number;
}

/** One opt-out instruction: "Reply STOP to opt out", "To unsubscribe, text STOP", "STOP to end". */
export interface OptOutInstruction {
  /** The instruction verb ("reply", "text", "responda"); null when the keyword stands first ("STOP to end"). */
  verb: number | null;
  /** The keyword the instruction gives, whatever it is: a standard one, another language's, an invented or disguised one. */
  keyword: number;
  /** What it does ("opt out", "to 85069 to unsubscribe": the purpose only). */
  purpose: TokenRange;
  /** The purpose comes before the verb ("To unsubscribe, text STOP"). */
  purposeFirst: boolean;
}

// "Txt STOP to 85069 to unsubscribe": the purpose starts at most four tokens after the keyword.
const KEYWORD_LOOKAHEAD = 4;
// "To stop getting these reminders, reply STOP": the purpose ends at most six tokens before the verb.
const PURPOSE_LOOKBEHIND = 6;

const PLAIN: TokenView<WordingToken> = { kind: (t) => t.kind, text: (t) => t.text };

/** A phrase as choices of words per position. */
type Phrase = string[][];
const parse = (phrase: string): Phrase => phrase.split(' ').map((slot) => slot.split('|'));

/**
 * The opt-out wording, compiled: one definition of what an opt-out instruction is, for every
 * stage that reads one. An instruction is
 * - a verb, a keyword and, after the keyword, a purpose with only linking words and numbers
 *   between them ("Reply STOP to opt out", "Txt STOP to 85069 to unsubscribe", "Responda STOP
 *   para cancelar"; "reply with STOP" too);
 * - or a verb and a keyword with a purpose a few words before the verb ("To unsubscribe, text STOP");
 * - or a standard keyword, a linking word and a purpose ("STOP to end").
 * A purpose inside a phrase that names no opt-out ("quit smoking") is none. The wording is
 * standard when its keyword is one of Twilio's standard keywords, written in the clear.
 */
export class OptOutWording {
  readonly version: string;
  readonly standardKeywords: ReadonlySet<string>;
  readonly otherLanguageKeywords: ReadonlySet<string>;
  readonly instructionVerbs: ReadonlySet<string>;
  readonly keywordLinks: ReadonlySet<string>;
  /** Purpose and not-purpose phrases by their first words. */
  private readonly purposes = new Map<string, Phrase[]>();
  private readonly notPurposes = new Map<string, Phrase[]>();

  constructor(readonly data: OptOutWordingData) {
    this.version = data.version;
    this.standardKeywords = new Set(data.standardKeywords);
    this.otherLanguageKeywords = new Set(data.otherLanguageKeywords);
    this.instructionVerbs = new Set(data.instructionVerbs);
    this.keywordLinks = new Set(data.keywordLinks);
    const index = (phrases: string[], into: Map<string, Phrase[]>): void => {
      for (const phrase of phrases) {
        const parsed = parse(phrase);
        for (const first of parsed[0]!)
          into.set(
            first,
            [...(into.get(first) ?? []), parsed].sort((a, b) => a.length - b.length),
          );
      }
    };
    index(data.purposes, this.purposes);
    index(data.notPurposes, this.notPurposes);
  }

  /** Whether the keyword is an opt-out keyword of any language. */
  isOptOutKeyword(word: string): boolean {
    return this.standardKeywords.has(word) || this.otherLanguageKeywords.has(word);
  }

  /** The purposes in the tokens that no not-purpose phrase holds, by first token, then shortest first. */
  findPurposes<T>(tokens: readonly T[], view: TokenView<T>): TokenRange[] {
    const purposes = this.matches(tokens, view, this.purposes);
    if (purposes.length === 0) return purposes;
    const not = this.matches(tokens, view, this.notPurposes);
    return not.length === 0 ? purposes : purposes.filter((p) => !not.some((n) => n.first <= p.first && p.last <= n.last));
  }

  /**
   * Every opt-out instruction in the tokens, given the purposes found in them (a caller that
   * reads disguised purposes finds them its own way; others use `findPurposes`). An
   * instruction's keyword is a word or a number; a verb gives one instruction, its purpose
   * after the keyword if there is one.
   */
  findInstructions<T>(tokens: readonly T[], view: TokenView<T>, purposes: readonly TokenRange[], visit: (instruction: OptOutInstruction) => void): void {
    if (purposes.length === 0) return;
    const links = this.keywordLinks;
    const linked = (keyword: number, purpose: number): boolean => {
      const next = tokens[keyword + 1];
      if (next === undefined || !links.has(view.text(next))) return false;
      for (let t = keyword + 2; t < purpose; t++) {
        const token = tokens[t]!;
        if (view.kind(token) !== 'number' && !links.has(view.text(token))) return false;
      }
      return true;
    };
    const isKeyword = (k: number): boolean => {
      const token = tokens[k];
      return token !== undefined && view.kind(token) !== 'other';
    };
    for (let v = 0; v < tokens.length; v++) {
      const token = tokens[v]!;
      if (view.kind(token) !== 'word') continue;
      if (this.instructionVerbs.has(view.text(token))) {
        let k = v + 1;
        const next = tokens[k];
        if (next !== undefined && view.text(next) === 'with') k++;
        const after = purposes.find((p) => p.first > k + 1 && p.first <= k + KEYWORD_LOOKAHEAD && linked(k, p.first));
        const purpose = after ?? purposes.find((p) => p.last < v && p.last >= v - PURPOSE_LOOKBEHIND);
        if (purpose && isKeyword(k)) visit({ verb: v, keyword: k, purpose, purposeFirst: after === undefined });
      } else if (view.spellings ? view.spellings(token).some((s) => this.standardKeywords.has(s)) : this.standardKeywords.has(view.text(token))) {
        const purpose = purposes.find((p) => p.first === v + 2 && linked(v, p.first));
        if (purpose) visit({ verb: null, keyword: v, purpose, purposeFirst: false });
      }
    }
  }

  /**
   * The opt-out instructions written as one stretch, verb (or keyword) to purpose, with an
   * opt-out keyword of any language: "Reply STOP to opt out", "STOP to end", "Responde ALTO
   * para cancelar". Each ends with the shortest purpose ("reply stop to stop" of "... to stop
   * receiving"). By first token; a stretch may start inside another ("stop to opt out" inside
   * "reply stop to opt out").
   */
  findStretches<T>(tokens: readonly T[], view: TokenView<T>): TokenRange[] {
    const stretches: TokenRange[] = [];
    this.findInstructions(tokens, view, this.findPurposes(tokens, view), (instruction) => {
      if (instruction.purposeFirst || !this.isOptOutKeyword(view.text(tokens[instruction.keyword]!))) return;
      stretches.push({ first: instruction.verb ?? instruction.keyword, last: instruction.purpose.last });
    });
    return stretches;
  }

  /** Whether a text carries standard opt-out wording: an instruction whose keyword is a standard keyword written in the clear. */
  isStandardIn(text: string): boolean {
    const tokens = wordingTokens(text);
    let standard = false;
    this.findInstructions(tokens, PLAIN, this.findPurposes(tokens, PLAIN), ({ keyword }) => {
      const token = tokens[keyword]!;
      if (this.standardKeywords.has(token.text) && !token.disguised) standard = true;
    });
    return standard;
  }

  private matches<T>(tokens: readonly T[], view: TokenView<T>, phrases: Map<string, Phrase[]>): TokenRange[] {
    const found: TokenRange[] = [];
    for (let first = 0; first < tokens.length; first++) {
      const candidates = phrases.get(view.text(tokens[first]!));
      if (!candidates) continue;
      // Candidates are shortest first: each phrase that matches here ends at or after the one before.
      let previous = -1;
      for (const phrase of candidates) {
        if (first + phrase.length > tokens.length) break;
        let at = 1;
        while (at < phrase.length && phrase[at]!.includes(view.text(tokens[first + at]!))) at++;
        const last = first + at - 1;
        if (at === phrase.length && last !== previous) found.push({ first, last: (previous = last) });
      }
    }
    return found;
  }
}

let loaded: OptOutWording | undefined;

/** The opt-out wording of `opt-out-wording.v1.json`, validated and compiled once when first needed. */
export function optOutWording(): OptOutWording {
  loaded ??= new OptOutWording(loadOptOutWordingData());
  return loaded;
}

/**
 * Whether a text carries standard opt-out wording ("Reply STOP to opt out", "Txt STOP to 85069
 * to unsubscribe", "STOP to end", "To unsubscribe, text STOP", "Responda STOP para cancelar").
 * Case, full-width and look-alike letters, invisible characters and accents are read through,
 * but a keyword that needed one of them (save case and accents) is disguised, not standard.
 */
export function hasStandardOptOutWording(text: string): boolean {
  return optOutWording().isStandardIn(text);
}
