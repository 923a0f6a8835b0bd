import { createRequire } from 'node:module';

// Unicode's confusables (the look-alike table behind UTS #39, "TR39 skeletons"), as packaged
// by unhomoglyph: one code point -> the string it looks like ("о" Cyrillic -> "o", "ｆ" -> "f").
const require = createRequire(import.meta.url);
const TABLE = new Map(Object.entries(require('unhomoglyph/data.json') as Record<string, string>));

const ASCII = /^[\x00-\x7f]*$/;
const NON_ASCII = /[^\x00-\x7f]/gu;

/** The table's skeleton of one character, if it has one. */
export function confusableOf(char: string): string | undefined {
  return TABLE.get(char);
}

/**
 * The ASCII look-alike of one character, lower case, if it has one. Follows the table a few
 * steps (some entries map to another non-ASCII look-alike first) and tries the lower-case
 * character when the character itself has no entry.
 */
export function asciiLookalike(char: string): string | undefined {
  let current = char;
  for (let step = 0; step < 3; step++) {
    const next = TABLE.get(current) ?? TABLE.get(current.toLowerCase());
    if (next === undefined) break;
    current = next;
    if (ASCII.test(current)) return current.toLowerCase();
  }
  return undefined;
}

const foldCache = new Map<string, string>();
/**
 * Every non-ASCII character replaced by its skeleton ("Неllо" in Cyrillic -> "Hello"). ASCII
 * is left alone: the skeletons also map some ASCII (m -> rn, I -> l), which lower-casing
 * settles for ASCII.
 */
export function foldLookalikes(text: string): string {
  return text.replace(NON_ASCII, (char) => {
    let folded = foldCache.get(char);
    if (folded === undefined) {
      folded = TABLE.get(char) ?? char;
      if (foldCache.size < 10_000) foldCache.set(char, folded);
    }
    return folded;
  });
}
