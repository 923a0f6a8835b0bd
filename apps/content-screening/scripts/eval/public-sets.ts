import { parse } from 'csv-parse/sync';
import { decodeHTML } from 'entities';
import { readFileSync } from 'node:fs';

/** A row of the public labeled sets (eval/data/README.md). */
export interface PublicRow {
  label: 'ham' | 'spam' | 'smishing';
  text: string;
}

function label(value: string): PublicRow['label'] {
  const lower = value.trim().toLowerCase();
  if (lower === 'ham' || lower === 'spam' || lower === 'smishing') return lower;
  throw new Error(`unknown label ${JSON.stringify(value)}`);
}

/** UCI SMS Spam Collection: `label<TAB>text`, no header. */
export function readUci(path: string): PublicRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      return { label: label(line.slice(0, tab)), text: line.slice(tab + 1) };
    });
}

/** Mendeley SMS Phishing Dataset: CSV with header LABEL,TEXT,URL,EMAIL,PHONE. */
export function readMendeley(path: string): PublicRow[] {
  const records = parse<Record<string, string>>(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true });
  return records.map((r) => ({ label: label(r['LABEL'] ?? ''), text: r['TEXT'] ?? '' }));
}

/** Text as the two sets' copies of one message differ: HTML entities, spacing, case. */
export function comparable(text: string): string {
  return decodeHTML(text).replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The Mendeley rows whose text is not also in the UCI set: text the rules were not written on. */
export function mendeleyOnly(mendeley: PublicRow[], uci: PublicRow[]): PublicRow[] {
  const inUci = new Set(uci.map((r) => comparable(r.text)));
  return mendeley.filter((r) => !inUci.has(comparable(r.text)));
}

/** Character n-gram counts of a comparable text. */
function gramCounts(text: string, n: number): Map<string, number> {
  const padded = ` ${comparable(text)} `;
  const grams = new Map<string, number>();
  for (let i = 0; i + n <= padded.length; i++) {
    const gram = padded.slice(i, i + n);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/**
 * For each row, its highest cosine similarity to any row of `reference`, over character
 * `n`-grams weighted by tf-idf (idf from the reference, smoothed as scikit-learn does), so that
 * grams every message has ("you ", " the") count for little. Many Mendeley rows not in UCI are
 * UCI rows edited (a name, a number, a link changed): what learnt the UCI row recognises them, so
 * they say little about text nobody has seen. Exact, through an index from each gram to its rows.
 */
export function closestSimilarity(rows: readonly PublicRow[], reference: readonly PublicRow[], n = 4): number[] {
  const counts = reference.map((r) => gramCounts(r.text, n));
  const documents = new Map<string, number>();
  for (const grams of counts) for (const gram of grams.keys()) documents.set(gram, (documents.get(gram) ?? 0) + 1);
  const idf = (gram: string): number => Math.log((1 + reference.length) / (1 + (documents.get(gram) ?? 0))) + 1;
  const weigh = (grams: Map<string, number>): { weights: Map<string, number>; norm: number } => {
    const weights = new Map<string, number>();
    let squares = 0;
    for (const [gram, count] of grams) {
      const w = count * idf(gram);
      weights.set(gram, w);
      squares += w * w;
    }
    return { weights, norm: Math.sqrt(squares) };
  };
  const vectors = counts.map(weigh);
  const index = new Map<string, { row: number; weight: number }[]>();
  vectors.forEach(({ weights }, row) => {
    for (const [gram, weight] of weights) {
      const postings = index.get(gram);
      if (postings) postings.push({ row, weight });
      else index.set(gram, [{ row, weight }]);
    }
  });
  const dot = new Float64Array(reference.length);
  return rows.map((r) => {
    const { weights, norm } = weigh(gramCounts(r.text, n));
    dot.fill(0);
    for (const [gram, weight] of weights) for (const p of index.get(gram) ?? []) dot[p.row]! += weight * p.weight;
    let best = 0;
    for (let row = 0; row < dot.length; row++) if (dot[row]! > 0) best = Math.max(best, dot[row]! / (norm * vectors[row]!.norm));
    return best;
  });
}
