import { COMPATIBILITY, CONFUSABLE, DIACRITIC, foldCharacter, INVISIBLE } from '@sms/text';

/**
 * Text as the rules see it, with a map back to the original: evidence must show the matched
 * text in its original form and position, and say what normalisation was needed to see it.
 */
export interface NormalisedText {
  source: string;
  /** Lower-case; compatibility forms folded; look-alike letters of other scripts and accents mapped to ASCII; invisible characters removed. */
  text: string;
  /** For each UTF-16 unit of `text`, the index in `source` it came from; null when `text` is `source` lower-cased (plain ASCII). */
  origin: Int32Array | null;
  /** For each UTF-16 unit of `text`, the normalisations that produced it (bit flags below); null when none did. */
  flags: Uint8Array | null;
}

// Bit flags: which normalisation was needed to see a character (or, for tokens, a word). The
// character foldings and their bits are the shared text library's; the word-level ones are screening's.
export { COMPATIBILITY, CONFUSABLE, DIACRITIC, INVISIBLE };
export const LEET = 8;
export const SPLIT = 16;
export const MISSPELLING = 32;
export const REPEAT = 128;

const FLAG_NAMES: [number, string][] = [
  [COMPATIBILITY, 'compatibility'],
  [CONFUSABLE, 'confusable'],
  [DIACRITIC, 'diacritic'],
  [INVISIBLE, 'invisible'],
  [LEET, 'leet'],
  [MISSPELLING, 'misspelling'],
  [REPEAT, 'repeat'],
  [SPLIT, 'split'],
];

/** The names of the normalisations in a set of flags, in a stable order. */
export function flagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [flag, name] of FLAG_NAMES) if (flags & flag) names.push(name);
  return names;
}

export function flagsOf(names: readonly string[]): number {
  let flags = 0;
  for (const [flag, name] of FLAG_NAMES) if (names.includes(name)) flags |= flag;
  return flags;
}

const ASCII = /^[\x00-\x7f]*$/;

/** The text with every character folded by the shared folding (`foldCharacter`), keeping where each came from and what it needed. */
export function normalise(source: string): NormalisedText {
  if (ASCII.test(source)) return { source, text: source.toLowerCase(), origin: null, flags: null };
  let origin = new Int32Array(source.length + 16);
  let flags = new Uint8Array(origin.length);
  const parts: string[] = [];
  let length = 0;
  let pendingInvisible = 0;
  const push = (out: string, index: number, flag: number): void => {
    if (length + out.length > origin.length) {
      const grownOrigin = new Int32Array((length + out.length) * 2);
      grownOrigin.set(origin);
      const grownFlags = new Uint8Array(grownOrigin.length);
      grownFlags.set(flags);
      origin = grownOrigin;
      flags = grownFlags;
    }
    for (let k = 0; k < out.length; k++) {
      origin[length] = index;
      // An invisible character dropped before this one is marked on its first unit only.
      flags[length++] = k === 0 ? flag : flag & ~INVISIBLE;
    }
    parts.push(out);
  };
  for (let index = 0; index < source.length;) {
    const codePoint = source.codePointAt(index) ?? 0;
    if (codePoint < 0x80) {
      push(String.fromCharCode(codePoint >= 65 && codePoint <= 90 ? codePoint + 32 : codePoint), index, pendingInvisible);
      pendingInvisible = 0;
    } else {
      const mapping = foldCharacter(codePoint);
      if (mapping.flags & INVISIBLE) {
        pendingInvisible = INVISIBLE;
      } else if (mapping.out.length > 0) {
        push(mapping.out, index, mapping.flags | pendingInvisible);
        pendingInvisible = 0;
      }
    }
    index += codePoint > 0xffff ? 2 : 1;
  }
  return { source, text: parts.join(''), origin: origin.subarray(0, length), flags: flags.subarray(0, length) };
}

/** The original text behind a span [start, end) of the normalised text. */
export function originalSpan(normalised: NormalisedText, start: number, end: number): { text: string; start: number; end: number } {
  if (!normalised.origin) return { text: normalised.source.slice(start, end), start, end };
  const from = normalised.origin[start] ?? 0;
  const lastOrigin = normalised.origin[Math.max(start, end - 1)] ?? from;
  const lastCodePoint = normalised.source.codePointAt(lastOrigin) ?? 0;
  const to = lastOrigin + (lastCodePoint > 0xffff ? 2 : 1);
  return { text: normalised.source.slice(from, to), start: from, end: to };
}
