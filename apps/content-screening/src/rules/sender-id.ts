import type { Analysis } from './analyse.js';
import type { CompiledRules } from './compile.js';
import { normalise } from './normalise.js';
import { WORD, tokenize } from './tokenize.js';

const brandTokens = new Map<string, string[]>();
const MAX_CACHED_BRANDS = 10_000;

function tokensOf(brand: string, rules: CompiledRules): string[] {
  let words = brandTokens.get(brand);
  if (!words) {
    words = tokenize(normalise(brand), rules.tokenizeContext).map((t) => t.forms[0]!);
    if (brandTokens.size >= MAX_CACHED_BRANDS) brandTokens.clear();
    brandTokens.set(brand, words);
  }
  return words;
}

/**
 * Whether the message names its brand (MP.SENDER_ID): the brand's words in order, ignoring case,
 * punctuation and spacing ("ACME DENTAL", "AcmeDental", "Acme Dental's").
 */
export function brandNamed(analysis: Analysis, brand: string, rules: CompiledRules): boolean {
  const wanted = tokensOf(brand, rules);
  if (wanted.length === 0) return true;
  const tokens = analysis.tokens;
  const joined = wanted.length > 1 ? wanted.join('') : null;
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i]!.forms[0]!;
    if (joined !== null && (first === joined || first === `${joined}s`)) return true;
    let k = 0;
    while (k < wanted.length && i + k < tokens.length) {
      const word = tokens[i + k]!.forms[0]!;
      const last = k === wanted.length - 1;
      if (word !== wanted[k] && !(last && tokens[i + k]!.kind === WORD && word === `${wanted[k]}s`)) break;
      k++;
    }
    if (k === wanted.length) return true;
  }
  return false;
}
