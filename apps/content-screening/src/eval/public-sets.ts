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
