// npm run eval:screening [-- --verbose] [--rules-and-linear | --rules-only]
// Precision and recall per category and a decision confusion table on our own labeled set,
// then smishing recall and ham blocked rate on the public sets (eval/data/README.md). The
// screening is the service's own code, through the CLI's input path.
import { DECISIONS } from './decisions.js';
import { fileURLToPath } from 'node:url';
import { outputOf, screenInput } from '../cli/screen-line.js';
import { compileRules } from '../../src/rules/compile.js';
import { CATEGORY_NAMES, loadRuleData } from '../../src/rules/rule-data.js';
import { loadSecondStage, screenTwoStage } from '../../src/rules/model/second-opinion.js';
import { DEFAULT_SETTINGS, type ScreeningFacts } from '../../src/rules/screen-message.js';
import { readBlindSet } from './blind-set.js';
import { readLabeledSet } from './labeled-set.js';
import { confusion, formatTable, labelMetrics, percent } from './metrics.js';
import { closestSimilarity, mendeleyOnly, readMendeley, readUci, type PublicRow } from './public-sets.js';

const verbose = process.argv.includes('--verbose');
const dataDir = (file: string): string => fileURLToPath(new URL(`../../eval/data/${file}`, import.meta.url));
const stopping = (decision: string): boolean => decision === 'hold' || decision === 'block';

const started = performance.now();
const compiled = compileRules(loadRuleData());
// --rules-only: stage one alone (every head's bands out of reach), to see what the model adds.
const rulesOnly = process.argv.includes('--rules-only');
const rules = rulesOnly ? { ...compiled, model: { ...compiled.model, heads: compiled.model.heads.map((h) => ({ ...h, hold: 2, block: 2, corroborate: 0, agree: 2 })) } } : compiled;
// --rules-and-linear: without the text encoder, to see what it adds.
const second = rulesOnly || process.argv.includes('--rules-and-linear') ? undefined : await loadSecondStage();
console.log(
  `rules ${rules.version}, text model ${rules.model.version}, ${second ? `text encoder ${second.pool.encoder.version}` : rulesOnly ? 'stage one only (--rules-only)' : 'no text encoder (--rules-and-linear)'}\n`,
);
const inOrder = async <T, R>(items: readonly T[], each: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = [];
  for (const item of items) out.push(await each(item));
  return out;
};

// 0. The blind set first: written apart from the rules, the model and the corpus, never tuned on.
const blind = readBlindSet(fileURLToPath(new URL('../../eval/blind/blind.v1.jsonl', import.meta.url)));
const blindResults = await inOrder(blind, async (c) => {
  const input = { id: c.id, body: c.body, to: '+14155552671', useCase: c.useCase, brand: c.brand, firstMessage: true };
  return { case: c, output: outputOf(input, await screenInput(input, rules, DEFAULT_SETTINGS, second)) };
});
console.log(`== blind set: ${blind.length} cases (eval/blind/blind.v1.jsonl), US recipient, age not verified, first message\n`);
const blindLabels = [...new Set(blind.map((c) => c.label))].sort();
console.log(
  formatTable([
    ['label', 'cases', 'stopped', 'right category (recall)', 'precision', 'es cases', 'es stopped'],
    ...blindLabels.map((label) => {
      const of = blindResults.filter((r) => r.case.label === label);
      const es = of.filter((r) => r.case.lang === 'es');
      const stoppedShare = (rows: typeof of): string => (rows.length === 0 ? '   -  ' : percent(rows.filter((r) => stopping(r.output.decision)).length / rows.length));
      const stoppedAs = blindResults.filter((r) => stopping(r.output.decision) && r.output.categories.includes(label as never));
      const right = label === 'benign' ? '' : percent(of.filter((r) => stopping(r.output.decision) && r.output.categories.includes(label as never)).length / of.length);
      const precision = label === 'benign' || stoppedAs.length === 0 ? '' : percent(stoppedAs.filter((r) => r.case.label === label).length / stoppedAs.length);
      return [label, of.length, stoppedShare(of), right, precision, es.length, stoppedShare(es)];
    }),
  ]),
);
const blindStops = blindResults.filter((r) => r.case.label !== 'benign');
const blindBenign = blindResults.filter((r) => r.case.label === 'benign');
const caught = blindStops.filter((r) => stopping(r.output.decision) && r.output.categories.includes(r.case.label as never)).length;
const falseStops = blindBenign.filter((r) => stopping(r.output.decision)).length;
console.log(`\nprohibited and gated stopped with the right category: ${caught}/${blindStops.length} = ${percent(caught / blindStops.length)}   (target >= 98%)`);
console.log(`benign stopped:                                      ${falseStops}/${blindBenign.length} = ${percent(falseStops / blindBenign.length)}   (target <= 1%)\n`);

// The training corpus, as the trainers measured it on text they did not fit (read from the model files).
console.log(`== training corpus, out of fold: linear heads 5-fold cross-validated; text encoder on the held-out seventh\n`);
const encoderHeldOut = second?.pool.encoder.head.heldOut as { perClass?: Record<string, { recallAtHold: number; falsePositiveRateAtHold: number }> } | undefined;
console.log(
  formatTable([
    ['head', 'linear precision@hold', 'linear recall@hold', 'linear fpr@hold', 'encoder recall@hold', 'encoder fpr@hold'],
    ...rules.model.heads.map((h) => {
      const e = encoderHeldOut?.perClass?.[h.name];
      return [h.name, percent(h.cv.precisionAtHold), percent(h.cv.recallAtHold), percent(h.cv.falsePositiveRateAtHold), e ? percent(e.recallAtHold) : '', e ? percent(e.falsePositiveRateAtHold) : ''];
    }),
  ]),
);
console.log('');

// 1. Our own labeled set.
const cases = readLabeledSet(dataDir('labeled.v1.jsonl'));
const results = await inOrder(cases, async (c) => ({ case: c, output: outputOf(c, await screenInput(c, rules, DEFAULT_SETTINGS, second)) }));
console.log(`== own labeled set: ${cases.length} cases (eval/data/labeled.v1.jsonl)\n`);
const metrics = labelMetrics(
  results.map((r) => ({ expected: r.case.expected.categories, actual: r.output.categories })),
  CATEGORY_NAMES,
);
console.log(
  formatTable([
    ['category', 'expected', 'found', 'precision', 'recall'],
    ...metrics.map((m) => [m.label, m.truePositives + m.falseNegatives, m.truePositives + m.falsePositives, percent(m.precision), percent(m.recall)]),
  ]),
);
const table = confusion(
  results.map((r) => ({ expected: r.case.expected.decision, actual: r.output.decision })),
  DECISIONS,
);
console.log(`\ndecisions (rows: expected, columns: screened)\n${formatTable([['', ...DECISIONS], ...DECISIONS.map((d, i) => [d, ...table[i]!])])}`);
const stopCases = results.filter((r) => stopping(r.case.expected.decision));
const benign = results.filter((r) => !stopping(r.case.expected.decision));
const stopsCaught = stopCases.filter((r) => stopping(r.output.decision)).length;
const benignStopped = benign.filter((r) => stopping(r.output.decision)).length;
const exact = results.filter((r) => r.output.decision === r.case.expected.decision).length;
console.log(`\nstop-cases stopped (recall): ${stopsCaught}/${stopCases.length} = ${percent(stopsCaught / stopCases.length)}   (target >= 98%)`);
console.log(`benign cases stopped:        ${benignStopped}/${benign.length} = ${percent(benignStopped / benign.length)}   (target <= 1%)`);
console.log(`exact decision:              ${exact}/${results.length} = ${percent(exact / results.length)}`);
const groups = [...new Set(cases.map((c) => c.group))].sort();
console.log(
  `\n${formatTable([
    ['group', 'cases', 'decision right', 'categories right'],
    ...groups.map((g) => {
      const inGroup = results.filter((r) => r.case.group === g);
      const decided = inGroup.filter((r) => r.output.decision === r.case.expected.decision).length;
      const categorised = inGroup.filter((r) => sameSet(r.output.categories, r.case.expected.categories)).length;
      return [g, inGroup.length, decided, categorised];
    }),
  ])}`,
);
const wrong = results.filter((r) => r.output.decision !== r.case.expected.decision || !sameSet(r.output.categories, r.case.expected.categories));
if (wrong.length > 0) {
  console.log(`\n${wrong.length} cases differ from their label${verbose ? '' : ' (--verbose lists them)'}`);
  if (verbose) {
    for (const r of wrong) {
      console.log(
        `  ${r.case.id} [${r.case.group}] expected ${r.case.expected.decision} ${JSON.stringify(r.case.expected.categories)}, got ${r.output.decision} ${JSON.stringify(r.output.categories)}`,
      );
      console.log(`      ${JSON.stringify(r.case.body)}\n      ${r.output.reasons.join(' | ')}`);
    }
  }
}

// 2. Public sets: person-to-person texts, screened as replies in a conversation to a US number
// (no sender name or opt-out line is expected of them), recipient's age not verified.
const conversation: ScreeningFacts = { country: 'US', age: { verified: false }, basis: 'conversation', firstMessage: false, kind: 'standard', brand: 'Acme Dental', settings: DEFAULT_SETTINGS };
const uci = readUci(dataDir('uci_SMSSpamCollection.tsv'));
const mendeley = readMendeley(dataDir('mendeley_smishing_Dataset_5971.csv'));
const unseen = mendeleyOnly(mendeley, uci);

async function report(name: string, rows: PublicRow[]): Promise<void> {
  const screened = await inOrder(rows, async (row) => ({ row, result: await screenTwoStage(row.text, conversation, rules, second) }));
  const line = (label: PublicRow['label']): string[] | null => {
    const of = screened.filter((s) => s.row.label === label);
    if (of.length === 0) return null;
    const blocked = of.filter((s) => s.result.decision === 'block').length;
    const stopped = of.filter((s) => stopping(s.result.decision)).length;
    const fraud = of.filter((s) => s.result.categories.includes('fraud')).length;
    return [label, String(of.length), percent(stopped / of.length), percent(blocked / of.length), percent(fraud / of.length)];
  };
  console.log(
    `\n== ${name}: ${rows.length} rows\n${formatTable([['label', 'rows', 'stopped', 'blocked', 'as fraud'], ...(['smishing', 'spam', 'ham'] as const).map(line).filter((row): row is string[] => row !== null)])}`,
  );
  if (verbose) {
    for (const s of screened) {
      const missed = s.row.label === 'smishing' && !stopping(s.result.decision);
      const falseStop = s.row.label === 'ham' && stopping(s.result.decision);
      if (missed || falseStop)
        console.log(
          `  [${name.split(' ')[0]}${name.includes('not in UCI') ? '-only' : ''}] ${missed ? 'missed smishing' : 'stopped ham'}: ${JSON.stringify(s.row.text.slice(0, 160))}${falseStop ? `\n      ${s.result.reasons.join(' | ')}` : ''}`,
        );
    }
  }
}

await report('Mendeley rows not in UCI (targets: smishing stopped >= 95%, ham blocked <= 0.5%)', unseen);
// The rows of those that are not UCI rows edited: text no rule or head has seen in any form.
const NOVEL_BELOW = 0.6;
const closest = closestSimilarity(unseen, uci);
await report(
  `Mendeley rows not in UCI and novel (no UCI row at cosine ${NOVEL_BELOW} or more, character 4-gram tf-idf)`,
  unseen.filter((_, i) => closest[i]! < NOVEL_BELOW),
);
await report('Mendeley, all rows (most also in UCI)', mendeley);
await report('UCI, all rows', uci);
console.log(`\n(evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s)`);

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
