import { COMPATIBILITY, CONFUSABLE, INVISIBLE, LEET, MISSPELLING, originalSpan, REPEAT, SPLIT, type NormalisedText } from './normalise.js';

export const WORD = 0;
export const NUMBER = 1;
export const SYMBOL = 2;
export const PICTOGRAPH = 3;
/** A reference code (a UUID): one opaque token, its letters and digits spelling nothing. */
export const CODE = 4;

// A UUID as systems append it to a reminder or receipt. Its hex letters and digits would otherwise
// spell terms ("cbd", "14-88", "cbd4" read as leet) in one reference of a few hundred.
const UUID = /[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?![\p{L}\p{N}])/uy;

/** A word, number, kept symbol or emoji of the normalised text, with the spellings it may stand for. */
export interface Token {
  kind: number;
  /** Span in the normalised text, end exclusive. */
  start: number;
  end: number;
  /** forms[0] as written (apostrophes dropped); then digits-for-letters, cut repeats, joined splits, corrected misspellings. */
  forms: string[];
  /** The normalisation each form needed beyond the token's own characters. */
  formFlags: number[];
  /** Normalisations of the token's characters (invisible characters only when inside the word). */
  flags: number;
  /** Look-alike letters of another script mixed with plain Latin letters in one word. */
  mixedScript: boolean;
}

/** What tokenizing needs to know about the rules: words worth re-joining or correcting. */
export interface TokenizeContext {
  /** Single-word terms a split word ("can.nabis") or a misspelling may stand for. */
  joinable: Set<string>;
  /** Whether some joinable term starts like `first`, ends like `second` and is as long as both (a cheap test before joining). */
  mayJoin(first: string, second: string): boolean;
  /** Whether a two-token phrase starting with `first` then `second` exists (then "pre-roll" is not a split "preroll"). */
  hasPair(first: string, second: string): boolean;
  /** Whether a token starts a phrase as it is. */
  isPhraseStart(token: string): boolean;
  /** Whether the word is an ordinary English word (never treated as a misspelling). */
  isWord(word: string): boolean;
  /** Whether the word is an ordinary Spanish word (in Spanish text, never one piece of a split term). */
  isSpanishWord(word: string): boolean;
  /** Whether some correctable term has this word's first letter and a length within one of it. */
  mayBeMisspelling(word: string): boolean;
  /** The term a misspelled word stands for, if any (never for an ordinary word; in Spanish text, never for a Spanish word). */
  correct(word: string, spanish: boolean): string | undefined;
}

// Words that make a text Spanish when three of them occur: then a Spanish word ("camino",
// "indicó") is an ordinary word, not a misspelling of a term ("casino", "indica").
const SPANISH_FUNCTION_WORDS = new Set([
  'el',
  'la',
  'los',
  'las',
  'del',
  'que',
  'su',
  'sus',
  'para',
  'por',
  'con',
  'una',
  'usted',
  'le',
  'les',
  'se',
  'nos',
  'mas',
  'este',
  'esta',
  'hoy',
  'manana',
  'gracias',
  'cita',
  'tu',
  'es',
  'y',
  'de',
  'en',
  'al',
]);
const SPANISH_AT = 3;

// Words too short and common to be a piece of a split term: "2-pak is" is not "pakis".
const FUNCTION_WORDS = new Set(['a', 'an', 'the', 'is', 'it', 'in', 'on', 'at', 'as', 'of', 'to', 'or', 'and', 'be', 'we', 'us', 'so', 'no', 'do', 'go', 'if', 'my', 'by', 'up']);

// Character classes of the normalised text.
const SEP = 0;
const LETTER = 1;
const DIGIT = 2;
const KEPT_SYMBOL = 3;
const APOSTROPHE = 4;
const LEET_SYMBOL = 5;
const PICTURE = 6;

const ASCII_CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) ASCII_CLASS[c] = LETTER;
for (let c = 48; c <= 57; c++) ASCII_CLASS[c] = DIGIT;
for (const c of '%&+') ASCII_CLASS[c.charCodeAt(0)] = KEPT_SYMBOL;
for (const c of '@!|$') ASCII_CLASS[c.charCodeAt(0)] = LEET_SYMBOL;
ASCII_CLASS["'".charCodeAt(0)] = APOSTROPHE;
ASCII_CLASS['`'.charCodeAt(0)] = APOSTROPHE;

const classes = new Map<number, number>();
function classOf(codePoint: number): number {
  if (codePoint < 128) return ASCII_CLASS[codePoint] ?? SEP;
  let cls = classes.get(codePoint);
  if (cls === undefined) {
    const char = String.fromCodePoint(codePoint);
    if (/[\p{L}\p{N}]/u.test(char)) cls = LETTER;
    else if (/\p{Extended_Pictographic}/u.test(char)) cls = PICTURE;
    else if ('£€₹¥'.includes(char)) cls = KEPT_SYMBOL;
    else if ('\u2018\u2019\u02bc'.includes(char)) cls = APOSTROPHE;
    else cls = SEP;
    classes.set(codePoint, cls);
  }
  return cls;
}

const LEET_MAP: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };
const isAsciiLetter = (c: number): boolean => c >= 97 && c <= 122;
const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Runs of three or more of one letter cut to two ("weeeed" -> "weed"). */
function cutRepeats(word: string): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < word.length; i++) {
    run = i > 0 && word[i] === word[i - 1] ? run + 1 : 1;
    if (run <= 2) out += word[i];
  }
  return out;
}

function leetForms(word: string): string[] {
  let hasLeet = false;
  let hasOne = false;
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    if (LEET_MAP[ch] !== undefined) hasLeet = true;
    if (ch === '1' || ch === '|') hasOne = true;
  }
  if (!hasLeet) return [];
  let asI = '';
  let asL = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    const mapped = LEET_MAP[ch] ?? ch;
    asI += mapped;
    asL += ch === '1' ? 'l' : mapped;
  }
  return hasOne && asL !== asI ? [asI, asL] : [asI];
}

/** Whether a word has digits or symbols for letters, or a letter repeated three times (most words have neither). */
function mayHaveVariants(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 97 || c > 122) return true;
    if (i >= 2 && c === word.charCodeAt(i - 1) && c === word.charCodeAt(i - 2)) return true;
  }
  return false;
}

function makeToken(kind: number, start: number, end: number, written: string, normalised: NormalisedText): Token {
  let flags = 0;
  let mixedScript = false;
  const charFlags = normalised.flags;
  if (charFlags) {
    let lookalike = false;
    let plain = false;
    for (let k = start; k < end; k++) {
      const f = charFlags[k] ?? 0;
      flags |= k === start ? f & ~INVISIBLE : f;
      if (isAsciiLetter(normalised.text.charCodeAt(k))) {
        if (f & (CONFUSABLE | COMPATIBILITY)) lookalike = true;
        else plain = true;
      }
    }
    mixedScript = lookalike && plain;
  }
  const token: Token = { kind, start, end, forms: [written], formFlags: NO_FORM_FLAGS, flags, mixedScript };
  if (kind === WORD && mayHaveVariants(written)) {
    for (const form of leetForms(written)) addForm(token, form, LEET);
    const cut = cutRepeats(written);
    if (cut !== written) {
      addForm(token, cut, REPEAT);
      for (const form of leetForms(cut)) addForm(token, form, LEET | REPEAT);
    }
  }
  return token;
}

// Most tokens have one spelling: they share this (never written) list of form flags.
const NO_FORM_FLAGS: number[] = [0];

function addForm(token: Token, form: string, flags: number): void {
  if (token.forms.includes(form)) return;
  if (token.formFlags === NO_FORM_FLAGS) token.formFlags = [0];
  token.forms.push(form);
  token.formFlags.push(flags);
}

/** A letter or digit, of any script. */
function isWordChar(codePoint: number): boolean {
  const cls = classOf(codePoint);
  return cls === LETTER || cls === DIGIT;
}

/** Splits a normalised text into tokens. */
export function tokenize(normalised: NormalisedText, context: TokenizeContext): Token[] {
  const text = normalised.text;
  const tokens: Token[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const codePoint = text.codePointAt(i) ?? 0;
    const width = codePoint > 0xffff ? 2 : 1;
    const cls = classOf(codePoint);
    if (cls === KEPT_SYMBOL || (cls === LEET_SYMBOL && codePoint === 36)) {
      tokens.push(makeToken(SYMBOL, i, i + width, text.slice(i, i + width), normalised));
      i += width;
      continue;
    }
    if (cls === PICTURE) {
      tokens.push(makeToken(PICTOGRAPH, i, i + width, text.slice(i, i + width), normalised));
      i += width;
      continue;
    }
    if (cls !== LETTER && cls !== DIGIT) {
      i += width;
      continue;
    }
    UUID.lastIndex = i;
    if ((i === 0 || !isWordChar(text.codePointAt(i - 1) ?? 0)) && UUID.test(text)) {
      tokens.push(makeToken(CODE, i, UUID.lastIndex, text.slice(i, UUID.lastIndex), normalised));
      i = UUID.lastIndex;
      continue;
    }
    // A word: letters and digits, apostrophes inside it dropped, leet symbols inside it kept.
    const start = i;
    let apostrophes = false;
    while (i < length) {
      const cp = text.charCodeAt(i);
      const c = cp < 128 ? (ASCII_CLASS[cp] ?? SEP) : classOf(text.codePointAt(i) ?? 0);
      const w = cp >= 0xd800 && cp <= 0xdbff ? 2 : 1;
      if (c === LETTER || c === DIGIT) {
        i += w;
        continue;
      }
      const nextCode = i + w < length ? text.charCodeAt(i + w) : 32;
      const next = nextCode < 128 ? (ASCII_CLASS[nextCode] ?? SEP) : classOf(text.codePointAt(i + w) ?? 0);
      // Apostrophes inside a word are dropped ("don't" -> "dont"); symbols stand for letters only
      // inside a word, before a letter ("m@rijuana", "ca$h"; not "$5", "day!2").
      if ((c === APOSTROPHE || c === LEET_SYMBOL) && next === LETTER) {
        if (c === APOSTROPHE) apostrophes = true;
        i += w;
        continue;
      }
      break;
    }
    const end = i;
    const slice = text.slice(start, end);
    const written = apostrophes ? slice.replace(/['`\u2018\u2019\u02bc]/g, '') : slice;
    pushWord(tokens, start, end, written, normalised, context);
  }
  return refine(tokens, normalised, context);
}

/** Whether the word, its digits read as letters, starts a phrase ("w33d"). */
function spellsPhraseWord(written: string, context: TokenizeContext): boolean {
  return leetForms(written).some((form) => context.isPhraseStart(form));
}

/**
 * Numbers glued to words are split off: "10mg" -> "10" "mg", "pobox84" -> "pobox" "84"; digits
 * that spell a phrase's word with the letters around them stay: "w33d", "4mm0", "fr33".
 */
function pushWord(tokens: Token[], start: number, end: number, written: string, normalised: NormalisedText, context: TokenizeContext): void {
  let lead = 0;
  while (lead < written.length && isAsciiDigit(written.charCodeAt(lead))) lead++;
  if (lead === written.length) {
    tokens.push(makeToken(NUMBER, start, end, written, normalised));
    return;
  }
  // "5u5pended", "0z3mpic": one or two digits for letters at the start of a long word stay in it.
  const leetLead = lead > 0 && lead <= 2 && /^[013457]+$/.test(written.slice(0, lead)) && isAsciiLetter(written.charCodeAt(lead)) && (written.length - lead >= 4 || spellsPhraseWord(written, context));
  if (lead > 0 && !leetLead && written.length === end - start) {
    tokens.push(makeToken(NUMBER, start, start + lead, written.slice(0, lead), normalised));
    pushWord(tokens, start + lead, end, written.slice(lead), normalised, context);
    return;
  }
  let trail = written.length;
  while (trail > 0 && isAsciiDigit(written.charCodeAt(trail - 1))) trail--;
  if (written.length - trail >= 2 && written.length === end - start && !spellsPhraseWord(written, context)) {
    tokens.push(makeToken(WORD, start, start + trail, written.slice(0, trail), normalised));
    tokens.push(makeToken(NUMBER, start + trail, end, written.slice(trail), normalised));
    return;
  }
  tokens.push(makeToken(WORD, start, end, written, normalised));
}

const SPLIT_GAP = /^[\s.\-_*/~•·,:+]{1,2}$/;
const JOIN_GAP = /^[.\-_*/~•·]$/;

function isSingleLetter(token: Token): boolean {
  return token.kind === WORD && token.forms[0]!.length === 1;
}

/** Re-joins split words and corrects misspellings of category terms. */
function refine(tokens: Token[], normalised: NormalisedText, context: TokenizeContext): Token[] {
  const text = normalised.text;
  const out: Token[] = [];
  // Counted only once a word may be a misspelling: most texts have none.
  let spanish: boolean | undefined;
  const isSpanish = (): boolean => (spanish ??= isSpanishText(tokens));
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    // Letters split by dots, dashes or spaces: "c.b.d", "m a r i j u a n a". A run keeps the gap
    // its first two letters have, so that a wider gap ends a word: "a r m a s  y  b a l a s".
    if (isSingleLetter(token)) {
      let j = i;
      const gapAfter = (k: number): string => text.slice(tokens[k]!.end, tokens[k + 1]!.start);
      const gap = i + 1 < tokens.length ? gapAfter(i) : '';
      while (j + 1 < tokens.length && isSingleLetter(tokens[j + 1]!) && SPLIT_GAP.test(gap) && gapAfter(j) === gap) j++;
      if (j - i >= 2) {
        const joined = tokens
          .slice(i, j + 1)
          .map((t) => t.forms[0])
          .join('');
        const merged = makeToken(WORD, token.start, tokens[j]!.end, joined, normalised);
        merged.flags |= SPLIT;
        out.push(merged);
        i = j;
        continue;
      }
    }
    // A term cut in two: "can.nabis", "mari-juana", "can nabis" (when a piece is not a word).
    const next = tokens[i + 1];
    if (next && token.kind === WORD && next.kind === WORD && context.mayJoin(token.forms[0]!, next.forms[0]!)) {
      const a = token.forms[0]!;
      const b = next.forms[0]!;
      const joined = a + b;
      if (context.joinable.has(joined) && !context.hasPair(a, b)) {
        const gap = text.slice(token.end, next.start);
        // Across a space only fragments join ("can nabis"), never two words of their own ("paytm kyc";
        // in Spanish text "casi nos"), nor a piece and a function word ("pak is").
        const word = (w: string): boolean => context.isWord(w) || (isSpanish() && context.isSpanishWord(w));
        const fragments = (!word(a) || !word(b)) && !FUNCTION_WORDS.has(a) && !FUNCTION_WORDS.has(b) && !(context.isPhraseStart(a) && context.isPhraseStart(b));
        if (JOIN_GAP.test(gap) || (gap === ' ' && fragments)) {
          const merged = makeToken(WORD, token.start, next.end, joined, normalised);
          merged.flags |= SPLIT;
          out.push(merged);
          i++;
          continue;
        }
      }
    }
    if (token.kind === WORD) correctMisspelling(token, context, () => isSpanish() || isTitleCase(normalised, token));
    out.push(token);
  }
  return out;
}

function isSpanishText(tokens: Token[]): boolean {
  let spanishWords = 0;
  for (const token of tokens) if (token.kind === WORD && SPANISH_FUNCTION_WORDS.has(token.forms[0]!)) spanishWords++;
  return spanishWords >= SPANISH_AT;
}

/**
 * A word written "Camino", capital first and the rest small, is a name (a street, a town, a
 * brand): a Spanish word written so is read as itself even in English text ("2210 Camino Real"),
 * where a lower-case one could still be a misspelt term.
 */
function isTitleCase(normalised: NormalisedText, token: Token): boolean {
  const written = originalSpan(normalised, token.start, token.end).text;
  return written.length > 1 && /^\p{Lu}\p{Ll}+$/u.test(written);
}

/** `spanishWordsAreWords`: whether a Spanish word is read as itself (Spanish text, or a name). */
function correctMisspelling(token: Token, context: TokenizeContext, spanishWordsAreWords: () => boolean): void {
  const count = token.forms.length;
  for (let f = 0; f < count; f++) {
    const form = token.forms[f]!;
    // Cheapest test first: most words have no term of their first letter and length nearby.
    if (form.length < 5 || !context.mayBeMisspelling(form) || !/^[a-z]+$/.test(form) || context.isPhraseStart(form)) continue;
    const term = context.correct(form, spanishWordsAreWords());
    if (term !== undefined) addForm(token, term, (token.formFlags[f] ?? 0) | MISSPELLING);
  }
}
