import { createRequire } from 'node:module';

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

// Bit flags: which normalisation was needed to see a character (or, for tokens, a word).
export const COMPATIBILITY = 1;
export const INVISIBLE = 2;
export const CONFUSABLE = 4;
export const LEET = 8;
export const SPLIT = 16;
export const MISSPELLING = 32;
export const DIACRITIC = 64;
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

// Zero-width, bidirectional and other invisible characters used to split words past filters.
const INVISIBLE_RANGES: [number, number][] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0x1bca0, 0x1bca3],
  [0xe0000, 0xe007f],
  [0xe0100, 0xe01ef],
];

// Unicode's confusables (the look-alike table behind UTS #39), as packaged by unhomoglyph.
const require = createRequire(import.meta.url);
const CONFUSABLES = require('unhomoglyph/data.json') as Record<string, string>;

interface Mapping {
  out: string;
  flags: number;
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const MARK = /^\p{M}$/u;
const SEPARATING = /^[\uFFFD\p{Co}\p{Cn}\p{Cc}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const ASCII_ALNUM = /^[a-z0-9]+$/;
const ASCII = /^[\x00-\x7f]*$/;
const mappings = new Map<number, Mapping>();

function confusableOf(char: string): string | undefined {
  // Follow the table a few steps: some entries map to another non-ASCII look-alike first.
  let current = char;
  for (let step = 0; step < 3; step++) {
    const next = CONFUSABLES[current] ?? CONFUSABLES[current.toLowerCase()];
    if (next === undefined) break;
    current = next;
    if (ASCII.test(current)) return current.toLowerCase();
  }
  return undefined;
}

function mapCodePoint(codePoint: number): Mapping {
  const cached = mappings.get(codePoint);
  if (cached) return cached;
  let mapping: Mapping;
  const char = String.fromCodePoint(codePoint);
  if (INVISIBLE_RANGES.some(([from, to]) => codePoint >= from && codePoint <= to)) {
    mapping = { out: '', flags: INVISIBLE };
  } else if (MARK.test(char)) {
    // Combining marks (accents written separately, strike-through and "zalgo" stacks) are dropped.
    mapping = { out: '', flags: DIACRITIC };
  } else {
    const folded = char.normalize('NFKC');
    if (!LETTER_OR_NUMBER.test(char)) {
      // Symbols that fold into letters ("™" -> "tm") would glue onto the word before them; the
      // replacement character and other unassigned or private characters only separate words.
      const separator = LETTER_OR_NUMBER.test(folded) || (SEPARATING.test(char) && !PICTOGRAPHIC.test(char));
      mapping = { out: separator ? ' ' : folded, flags: 0 };
    } else {
      let out = '';
      let flags = folded !== char ? COMPATIBILITY : 0;
      for (const unit of folded) {
        const lower = unit.toLowerCase();
        if (ASCII.test(lower)) {
          out += lower;
          continue;
        }
        const lookalike = confusableOf(unit);
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
      mapping = { out, flags };
    }
  }
  mappings.set(codePoint, mapping);
  return mapping;
}

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
  for (let index = 0; index < source.length; ) {
    const codePoint = source.codePointAt(index) ?? 0;
    if (codePoint < 0x80) {
      push(String.fromCharCode(codePoint >= 65 && codePoint <= 90 ? codePoint + 32 : codePoint), index, pendingInvisible);
      pendingInvisible = 0;
    } else {
      const mapping = mapCodePoint(codePoint);
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
