import type { NormalisedText } from '../normalise.js';

/**
 * The text classifier's features: hashed character n-grams and word n-grams of the
 * normalised text (folded, look-alikes mapped, lower-case: what the rules see), with every
 * digit read as 0 so that dates, prices and phone numbers generalise. Character n-grams see
 * through slang spellings and inflections that no word list holds; word n-grams carry the
 * phrasing. Hashing keeps the model a fixed size whatever the vocabulary.
 */
export interface FeatureSpec {
  /** The hash space is 2^hashBits slots. */
  hashBits: number;
  /** Smallest and largest character n-gram. */
  charNgrams: [number, number];
  /** Smallest and largest word n-gram. */
  wordNgrams: [number, number];
}

/** Called once per feature occurrence: its slot and where it lies in the normalised text. */
export type FeatureVisitor = (slot: number, start: number, end: number) => void;

const FNV_PRIME = 0x01000193;
const CHAR_SEED = 0x811c9dc5;
const WORD_SEED = 0x2f6b8e3d;
const SPACE = 32;
const ZERO = 48;

/** murmur3's finaliser: FNV's low bits alone are too weak to mask into slots. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const isSpace = (code: number): boolean => code <= SPACE || code === 0xa0 || (code >= 0x2000 && code <= 0x200a) || code === 0x3000;
const isDigit = (code: number): boolean => code >= ZERO && code <= 57;
// The normalised text is mostly ASCII; anything beyond it that survived folding is a letter of another script or a symbol.
const isWordChar = (code: number): boolean => (code >= 97 && code <= 122) || isDigit(code) || (code > 127 && !isSpace(code) && (code < 0x2000 || code > 0x206f));

// Reused between calls: the features of one message at a time.
let codes = new Uint16Array(512);
let positions = new Uint32Array(512);

/** Visits every feature occurrence of a text; a message of n characters has about 4n + 2w of them. */
export function forEachFeature(normalised: NormalisedText, spec: FeatureSpec, visit: FeatureVisitor): number {
  const text = normalised.text;
  if (codes.length < text.length + 2) {
    codes = new Uint16Array((text.length + 2) * 2);
    positions = new Uint32Array(codes.length);
  }
  // Spacing collapsed to single spaces, with a space at each end so that n-grams see word edges.
  let m = 0;
  codes[m] = SPACE;
  positions[m++] = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      if (codes[m - 1] !== SPACE) {
        codes[m] = SPACE;
        positions[m++] = i;
      }
      continue;
    }
    codes[m] = isDigit(code) ? ZERO : code;
    positions[m++] = i;
  }
  if (codes[m - 1] !== SPACE) {
    codes[m] = SPACE;
    positions[m++] = text.length;
  }
  const mask = (1 << spec.hashBits) - 1;
  const [minChar, maxChar] = spec.charNgrams;
  let visited = 0;
  for (let i = 0; i < m - 1; i++) {
    let h = CHAR_SEED;
    for (let k = 0; k < maxChar && i + k < m; k++) {
      h = Math.imul(h ^ codes[i + k]!, FNV_PRIME);
      if (k + 1 >= minChar) {
        visit(mix(h) & mask, positions[i]!, Math.min(text.length, positions[i + k]! + 1));
        visited++;
      }
    }
  }
  // Words: runs of letters and digits; n-grams of consecutive words.
  const [minWord, maxWord] = spec.wordNgrams;
  const hashes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < m; ) {
    if (!isWordChar(codes[i]!)) {
      i++;
      continue;
    }
    let h = WORD_SEED;
    const from = i;
    while (i < m && (isWordChar(codes[i]!) || (codes[i] === 39 && i + 1 < m && isWordChar(codes[i + 1]!)))) {
      if (codes[i] !== 39) h = Math.imul(h ^ codes[i]!, FNV_PRIME);
      i++;
    }
    hashes.push(h);
    starts.push(positions[from]!);
    ends.push(positions[i - 1]! + 1);
  }
  for (let w = 0; w < hashes.length; w++) {
    let h = WORD_SEED;
    for (let k = 0; k < maxWord && w + k < hashes.length; k++) {
      h = Math.imul(h ^ hashes[w + k]!, FNV_PRIME) ^ (k + 1);
      if (k + 1 >= minWord) {
        visit(mix(h) & mask, starts[w]!, ends[w + k]!);
        visited++;
      }
    }
  }
  return visited;
}
