import { asciiLookalike } from './confusables.js';
import { isInvisible } from './invisible.js';

// Bit flags: which folding was needed to see a character. Content screening adds its own
// word-level ones (digits for letters, split and misspelt words) on the bits left free.
export const COMPATIBILITY = 1;
export const INVISIBLE = 2;
export const CONFUSABLE = 4;
export const DIACRITIC = 64;

/** What one character of a text reads as, and the foldings that were needed to read it so. */
export interface FoldedCharacter {
  /** Lower case; empty when the character is dropped; a space when it only separates words. */
  out: string;
  flags: number;
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const MARK = /^\p{M}$/u;
const SEPARATING = /^[\uFFFD\p{Co}\p{Cn}\p{Cc}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const ASCII_ALNUM = /^[a-z0-9]+$/;
const ASCII = /^[\x00-\x7f]*$/;
const cache = new Map<number, FoldedCharacter>();

/**
 * One character as the rules read it: invisible characters and combining marks dropped,
 * compatibility forms folded (NFKC: full-width, mathematical letters), look-alike letters of
 * other scripts mapped to ASCII, accents removed, lower case. Meant for characters outside
 * ASCII (ASCII only needs lower-casing); remembered, since texts repeat their characters.
 */
export function foldCharacter(codePoint: number): FoldedCharacter {
  const cached = cache.get(codePoint);
  if (cached) return cached;
  let folding: FoldedCharacter;
  const char = String.fromCodePoint(codePoint);
  if (isInvisible(codePoint)) {
    folding = { out: '', flags: INVISIBLE };
  } else if (MARK.test(char)) {
    // Combining marks (accents written separately, strike-through and "zalgo" stacks) are dropped.
    folding = { out: '', flags: DIACRITIC };
  } else {
    const folded = char.normalize('NFKC');
    if (!LETTER_OR_NUMBER.test(char)) {
      // Symbols that fold into letters ("™" -> "tm") would glue onto the word before them; the
      // replacement character and other unassigned or private characters only separate words.
      const separator = LETTER_OR_NUMBER.test(folded) || (SEPARATING.test(char) && !PICTOGRAPHIC.test(char));
      folding = { out: separator ? ' ' : folded, flags: 0 };
    } else {
      let out = '';
      let flags = folded !== char ? COMPATIBILITY : 0;
      for (const unit of folded) {
        const lower = unit.toLowerCase();
        if (ASCII.test(lower)) {
          out += lower;
          continue;
        }
        const lookalike = asciiLookalike(unit);
        if (lookalike !== undefined && ASCII_ALNUM.test(lookalike)) {
          out += lookalike;
          flags |= CONFUSABLE;
          continue;
        }
        const stripped = lower.normalize('NFD').replace(/\p{M}/gu, '');
        if (stripped !== lower && ASCII_ALNUM.test(stripped)) {
          out += stripped;
          flags |= DIACRITIC;
        } else {
          out += lower;
        }
      }
      folding = { out, flags };
    }
  }
  cache.set(codePoint, folding);
  return folding;
}
