/**
 * Text as the rules see it, with a map back to the original: evidence must show the matched
 * text in its original form and position, and say what normalisation was needed to see it.
 */
export interface NormalisedText {
  /** Lower-case, compatibility-normalised, invisible characters removed. */
  text: string;
  /** For each character of `text`, the index in the original it came from. */
  origin: number[];
  /** Which transformations changed something ("nfkc", "invisible"). */
  applied: Set<string>;
}

// Zero-width and other invisible characters used to split words past filters.
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/u;

export function normalise(original: string): NormalisedText {
  const applied = new Set<string>();
  let text = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of original) {
    if (INVISIBLE.test(char)) {
      applied.add('invisible');
    } else {
      const folded = char.normalize('NFKC').toLowerCase();
      if (folded !== char.toLowerCase()) applied.add('nfkc');
      for (const unit of folded) {
        text += unit;
        for (let i = 0; i < unit.length; i++) origin.push(index);
      }
    }
    index += char.length;
  }
  return { text, origin, applied };
}

/** The original text behind a span of the normalised text. */
export function originalSpan(source: string, normalised: NormalisedText, start: number, end: number): { text: string; start: number; end: number } {
  const from = normalised.origin[start] ?? 0;
  const lastOrigin = normalised.origin[end - 1] ?? from;
  const lastChar = String.fromCodePoint(source.codePointAt(lastOrigin) ?? 0);
  const to = lastOrigin + lastChar.length;
  return { text: source.slice(from, to), start: from, end: to };
}
