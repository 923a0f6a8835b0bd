/**
 * Zero-width, bidirectional and other invisible characters used to split words past filters
 * ("fr\u200Bee"): soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers,
 * Khmer inherent vowels, Mongolian variation selectors, zero-width spaces and joiners,
 * bidirectional controls, invisible operators, variation selectors, the byte-order mark,
 * shorthand format controls and tag characters.
 */
export const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
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

export function isInvisible(codePoint: number): boolean {
  for (const [from, to] of INVISIBLE_RANGES) if (codePoint >= from && codePoint <= to) return true;
  return false;
}

const hex = (codePoint: number): string => `\\u{${codePoint.toString(16)}}`;
const INVISIBLE_CHARACTERS = new RegExp(`[${INVISIBLE_RANGES.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${hex(to)}`)).join('')}]`, 'gu');

/** The text without its invisible characters. */
export function removeInvisible(text: string): string {
  return text.replace(INVISIBLE_CHARACTERS, '');
}
