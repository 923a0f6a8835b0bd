import { foldLookalikes } from './confusables.js';
import { removeInvisible } from './invisible.js';

const ASCII = /^[\x00-\x7f]*$/;

/**
 * The text in lower case with compatibility forms (NFKC), invisible characters and look-alike
 * characters (their skeletons) folded, for comparing texts with each other: two copies of one
 * text disguised differently fold to one. Accents and every other character are kept, and
 * positions are not (`foldCharacter` reads a text against ASCII rule data, with them).
 */
export function foldText(text: string): string {
  // ASCII text is already in NFKC form and has no invisible or look-alike characters to fold.
  return (ASCII.test(text) ? text : foldLookalikes(removeInvisible(text.normalize('NFKC')))).toLowerCase();
}
