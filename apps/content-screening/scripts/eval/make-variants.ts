// node apps/content-screening/dist-scripts/eval/make-variants.js
// Writes eval/data/labeled.v1.jsonl: the hand-written cases of labeled-base.v1.jsonl, then
// for each case that names a word to disguise, one variant per evasion technique. The
// techniques are written here independently of the screening's normaliser (their own
// character tables), so the set tests the screening rather than mirroring it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readLabeledSet, type LabeledCase } from './labeled-set.js';

const CYRILLIC: Record<string, string> = {
  a: '\u0430',
  e: '\u0435',
  o: '\u043e',
  c: '\u0441',
  p: '\u0440',
  x: '\u0445',
  y: '\u0443',
  i: '\u0456',
  s: '\u0455',
  j: '\u0458',
  A: '\u0410',
  B: '\u0412',
  C: '\u0421',
  E: '\u0415',
  H: '\u041d',
  K: '\u041a',
  M: '\u041c',
  O: '\u041e',
  P: '\u0420',
  T: '\u0422',
  X: '\u0425',
};
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', A: '4', E: '3', I: '1', O: '0', S: '5' };

/** Replaces the first `count` letters that have a substitute. */
function substitute(word: string, table: Record<string, string>, count: number): string {
  let left = count;
  return [...word].map((ch) => (left > 0 && table[ch] !== undefined ? (left--, table[ch]) : ch)).join('');
}

export const TECHNIQUES: Record<string, (word: string) => string> = {
  homoglyph: (word) => substitute(word, CYRILLIC, 2),
  'zero-width': (word) => (word.length < 2 ? word : `${word.slice(0, 1)}\u200b${word.slice(1, -1)}\u200b${word.slice(-1)}`.replace('\u200b\u200b', '\u200b')),
  leet: (word) => substitute(word, LEET, 2),
  split: (word) => (/^[A-Za-z]+$/.test(word) ? (word.length <= 6 ? [...word].join('.') : `${word.slice(0, Math.ceil(word.length / 2))}-${word.slice(Math.ceil(word.length / 2))}`) : word),
  misspelling: (word) => (/^[A-Za-z]{6,}$/.test(word) ? `${word.slice(0, 2)}${word.slice(3)}` : word),
  fullwidth: (word) => [...word].map((ch) => (/[A-Za-z0-9]/.test(ch) ? String.fromCodePoint(ch.codePointAt(0)! + 0xfee0) : ch)).join(''),
};

export function variantsOf(base: LabeledCase): LabeledCase[] {
  const word = base.disguise;
  if (!word || !base.body.includes(word)) return [];
  const variants: LabeledCase[] = [];
  for (const [technique, disguise] of Object.entries(TECHNIQUES)) {
    const disguised = disguise(word);
    if (disguised === word) continue;
    const categories = [...new Set([...base.expected.categories, 'filter_evasion' as const])];
    const { disguise: _, ...rest } = base;
    variants.push({
      ...rest,
      id: `${base.id}~${technique}`,
      body: base.body.replace(word, disguised),
      expected: { decision: 'block', categories },
      group: 'evasion-variant',
      note: `${technique} of "${word}"`,
    });
  }
  return variants;
}

const dir = (file: string): string => fileURLToPath(new URL(`../../eval/data/${file}`, import.meta.url));
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const base = readLabeledSet(dir('labeled-base.v1.jsonl'));
  const all = [...base, ...base.flatMap(variantsOf)];
  writeFileSync(dir('labeled.v1.jsonl'), `${all.map((c) => JSON.stringify(c)).join('\n')}\n`);
  console.log(`wrote ${all.length} cases (${base.length} hand-written, ${all.length - base.length} variants) to eval/data/labeled.v1.jsonl`);
}
