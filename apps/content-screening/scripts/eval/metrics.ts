/** Precision and recall per label, and a confusion table: figures for people, never assertions. */

export interface LabelMetrics {
  label: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** Per-label precision and recall over cases that each expect and get a set of labels. */
export function labelMetrics(cases: { expected: readonly string[]; actual: readonly string[] }[], labels: readonly string[]): LabelMetrics[] {
  return labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const c of cases) {
      const expected = c.expected.includes(label);
      const actual = c.actual.includes(label);
      if (expected && actual) tp++;
      else if (actual) fp++;
      else if (expected) fn++;
    }
    return { label, truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp), recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn) };
  });
}

/** Counts of (expected, actual) pairs. */
export function confusion(pairs: { expected: string; actual: string }[], labels: readonly string[]): number[][] {
  const table = labels.map(() => labels.map(() => 0));
  for (const { expected, actual } of pairs) {
    const row = labels.indexOf(expected);
    const column = labels.indexOf(actual);
    if (row >= 0 && column >= 0) table[row]![column]!++;
  }
  return table;
}

export const percent = (value: number): string => (Number.isNaN(value) ? '   -  ' : `${(value * 100).toFixed(1).padStart(5)}%`);

/** A plain-text table with aligned columns. */
export function formatTable(rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
