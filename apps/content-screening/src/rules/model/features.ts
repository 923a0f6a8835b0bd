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

/**
 * The feature occurrences of one text, in order: character n-grams, then word n-grams. Occurrence
 * i has slot `slots[i]` and covers [starts[i], ends[i]) of the normalised text. The arrays are
 * reused by the next call (scoring a message allocates nothing): read them before calling again.
 */
export interface Features {
  count: number;
  slots: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

// Reused between calls: the features of one message at a time.
let codes = new Uint16Array(512);
let positions = new Uint32Array(512);
let wordHashes = new Int32Array(256);
let wordStarts = new Uint32Array(256);
let wordEnds = new Uint32Array(256);
const found: Features = { count: 0, slots: new Uint32Array(2048), starts: new Uint32Array(2048), ends: new Uint32Array(2048) };

/** Every feature occurrence of a text; a message of n characters has about 4n + 2w of them. */
export function featuresOf(normalised: Pick<NormalisedText, 'text'>, spec: FeatureSpec): Features {
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
  const [minWord, maxWord] = spec.wordNgrams;
  // At most one occurrence per n-gram length at each character, and per word n-gram length at each word.
  const most = (Math.max(0, maxChar - minChar + 1) + Math.max(0, maxWord - minWord + 1)) * m;
  if (found.slots.length < most) {
    found.slots = new Uint32Array(most * 2);
    found.starts = new Uint32Array(most * 2);
    found.ends = new Uint32Array(most * 2);
  }
  const { slots, starts, ends } = found;
  let n = 0;
  for (let i = 0; i < m - 1; i++) {
    let h = CHAR_SEED;
    for (let k = 0; k < maxChar && i + k < m; k++) {
      h = Math.imul(h ^ codes[i + k]!, FNV_PRIME);
      if (k + 1 >= minChar) {
        slots[n] = mix(h) & mask;
        starts[n] = positions[i]!;
        ends[n++] = Math.min(text.length, positions[i + k]! + 1);
      }
    }
  }
  // Words: runs of letters and digits; n-grams of consecutive words.
  if (wordHashes.length < m) {
    wordHashes = new Int32Array(m);
    wordStarts = new Uint32Array(m);
    wordEnds = new Uint32Array(m);
  }
  let words = 0;
  for (let i = 0; i < m;) {
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
    wordHashes[words] = h;
    wordStarts[words] = positions[from]!;
    wordEnds[words++] = positions[i - 1]! + 1;
  }
  for (let w = 0; w < words; w++) {
    let h = WORD_SEED;
    for (let k = 0; k < maxWord && w + k < words; k++) {
      h = Math.imul(h ^ wordHashes[w + k]!, FNV_PRIME) ^ (k + 1);
      if (k + 1 >= minWord) {
        slots[n] = mix(h) & mask;
        starts[n] = wordStarts[w]!;
        ends[n++] = wordEnds[w + k]!;
      }
    }
  }
  found.count = n;
  return found;
}

/** Visits every feature occurrence of a text (`featuresOf`, one call per occurrence); returns how many there were. */
export function forEachFeature(normalised: NormalisedText, spec: FeatureSpec, visit: FeatureVisitor): number {
  const { count, slots, starts, ends } = featuresOf(normalised, spec);
  for (let i = 0; i < count; i++) visit(slots[i]!, starts[i]!, ends[i]!);
  return count;
}

/**
 * The longest text the models read whole: every text of the training corpus is at most about
 * this long (two SMS segments). A longer message is read in windows of three quarters of it.
 */
export const READ_WINDOW = 320;

/**
 * The windows a text is read in: a text of at most `whole` characters whole; a longer one in
 * windows of three quarters of `whole`, half a window apart, cut at spaces where one is near (a
 * word is not split unless it is longer than a quarter of the window), that cover all of it.
 * Read whole, a long message's length-normalised counts let filler dilute what one part of it
 * says: of 487 corpus violations with thirty repeats of "Thank you, see you soon." after them,
 * 102 were stopped (43 with the filler first); read in these windows, 285 (361), and 0 of 408
 * lawful notices so padded (1 with the filler first). Half-length windows caught more but
 * stopped twice as many lawful notices joined three together.
 */
export function textWindows(text: string, whole = READ_WINDOW): Array<[number, number]> {
  if (text.length <= whole) return [[0, text.length]];
  const size = (whole * 3) / 4;
  const windows: Array<[number, number]> = [];
  const slack = size / 4;
  for (let start = 0; ;) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > end - slack) end = space;
    }
    windows.push([start, end]);
    if (end >= text.length) return windows;
    let next = Math.max(start + 1, end - size / 2);
    const space = text.indexOf(' ', next);
    if (space !== -1 && space < next + slack && space < end) next = space + 1;
    start = next;
  }
}
