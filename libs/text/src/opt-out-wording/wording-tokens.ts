import { COMPATIBILITY, CONFUSABLE, foldCharacter, INVISIBLE } from '../folding/fold-character.js';

/** A word, number or other token (a kept symbol, an emoji) of a plain text. */
export interface WordingToken {
  kind: 'word' | 'number' | 'other';
  /** As written, folded: lower case, compatibility forms, look-alikes and accents undone, invisible characters dropped, apostrophes inside a word dropped. */
  text: string;
  /** Some character needed folding that disguises a word (look-alike, full-width, invisible inside the word). */
  disguised: boolean;
}

const DISGUISING = COMPATIBILITY | CONFUSABLE | INVISIBLE;

// Character classes of the folded text, as content screening's tokenizer has them.
const SEP = 0;
const LETTER = 1;
const DIGIT = 2;
const KEPT_SYMBOL = 3;
const APOSTROPHE = 4;
const LEET_SYMBOL = 5;
const PICTURE = 6;

function classOf(char: string): number {
  const c = char.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return LETTER;
  if (c >= 48 && c <= 57) return DIGIT;
  if ('%&+£€₹¥'.includes(char)) return KEPT_SYMBOL;
  if ('@!|$'.includes(char)) return LEET_SYMBOL;
  if ("'`\u2018\u2019\u02bc".includes(char)) return APOSTROPHE;
  if (c < 128) return SEP;
  if (/[\p{L}\p{N}]/u.test(char)) return LETTER;
  if (/\p{Extended_Pictographic}/u.test(char)) return PICTURE;
  return SEP;
}

/** The text folded character by character, with the foldings each UTF-16 unit needed. */
function fold(source: string): { text: string; flags: number[] } {
  if (/^[\x00-\x7f]*$/.test(source)) return { text: source.toLowerCase(), flags: [] };
  let text = '';
  const flags: number[] = [];
  let pendingInvisible = 0;
  for (const char of source) {
    const codePoint = char.codePointAt(0) ?? 0;
    const { out, flags: folded } = codePoint < 0x80 ? { out: char.toLowerCase(), flags: 0 } : foldCharacter(codePoint);
    if (folded & INVISIBLE) {
      pendingInvisible = INVISIBLE;
      continue;
    }
    // An invisible character dropped before this one is marked on its first unit only.
    for (let k = 0; k < out.length; k++) flags.push(k === 0 ? folded | pendingInvisible : folded);
    if (out.length > 0) pendingInvisible = 0;
    text += out;
  }
  return { text, flags };
}

/**
 * The tokens of a plain text: words (letters and digits, apostrophes inside dropped, symbols
 * standing for letters kept: "st@p"), numbers, and the symbols and emoji that stand between
 * words. Leading digits and two or more trailing digits are split off a word ("2end" -> "2",
 * "end"). Unlike content screening's tokenizer it reads no word-level disguise (digits for
 * letters, split or misspelt words): standard wording is written plainly.
 */
export function wordingTokens(source: string): WordingToken[] {
  const { text, flags } = fold(source);
  const tokens: WordingToken[] = [];
  const disguised = (start: number, end: number): boolean => {
    for (let k = start; k < end && k < flags.length; k++) if ((k === start ? (flags[k] ?? 0) & ~INVISIBLE : (flags[k] ?? 0)) & DISGUISING) return true;
    return false;
  };
  const chars = [...text];
  const units: number[] = [];
  let unit = 0;
  for (const char of chars) {
    units.push(unit);
    unit += char.length;
  }
  units.push(unit);
  for (let i = 0; i < chars.length;) {
    const cls = classOf(chars[i]!);
    if (cls === KEPT_SYMBOL || cls === PICTURE || chars[i] === '$') {
      tokens.push({ kind: 'other', text: chars[i]!, disguised: disguised(units[i]!, units[i + 1]!) });
      i++;
      continue;
    }
    if (cls !== LETTER && cls !== DIGIT) {
      i++;
      continue;
    }
    const start = i;
    let written = '';
    while (i < chars.length) {
      const c = classOf(chars[i]!);
      if (c === LETTER || c === DIGIT) {
        written += chars[i];
        i++;
        continue;
      }
      const next = i + 1 < chars.length ? classOf(chars[i + 1]!) : SEP;
      if ((c === APOSTROPHE || c === LEET_SYMBOL) && next === LETTER) {
        if (c === LEET_SYMBOL) written += chars[i];
        i++;
        continue;
      }
      break;
    }
    const isDisguised = disguised(units[start]!, units[i]!);
    const lead = /^[0-9]*/.exec(written)![0].length;
    const trail = /[0-9]*$/.exec(written)![0].length;
    if (lead === written.length) {
      tokens.push({ kind: 'number', text: written, disguised: isDisguised });
      continue;
    }
    if (lead > 0) tokens.push({ kind: 'number', text: written.slice(0, lead), disguised: isDisguised });
    const body = trail >= 2 ? written.slice(lead, written.length - trail) : written.slice(lead);
    tokens.push({ kind: 'word', text: body, disguised: isDisguised });
    if (trail >= 2) tokens.push({ kind: 'number', text: written.slice(written.length - trail), disguised: isDisguised });
  }
  return tokens;
}
