// npm run calibrate:screening
// The calibration set (eval/calibration): messages written apart from the rules, the corpus
// and the blind set, used to choose the text encoder's bands and consult score (never trained
// on). Prints, for the shipped model and for a sweep of hold floors and consult scores, the
// stops with the right category, the benign texts stopped and what stopped them (a rule, the
// linear heads, the encoder), so that the choice written into the head file can be checked.
import { fileURLToPath } from 'node:url';
import { compileRules } from '../../src/rules/compile.js';
import { ENCODER_CLASSES, type EncoderHeadFile, type EncoderScores } from '../../src/rules/model/encoder-head.js';
import { loadSecondStage } from '../../src/rules/model/second-opinion.js';
import { normalise } from '../../src/rules/normalise.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { DEFAULT_SETTINGS, factsFromEnvelope, needsSecondOpinion, screen, type ScreeningFacts, type ScreeningResult } from '../../src/rules/screen-message.js';
import { envelopeOf } from '../cli/screen-line.js';
import type { TenantConfigEvent } from '@sms/contracts';
import { readBlindSet, type BlindCase } from './blind-set.js';
import { formatTable, percent } from './metrics.js';

/**
 * The calibration set's files: v1, and v2 by another author, which makes the set large enough
 * that a band chosen at 1 in 500 of its lawful texts rests on more than one text.
 */
const CALIBRATION_FILES = ['calibration.v1.jsonl', 'calibration.v2.jsonl'] as const;
export const readCalibration = (): BlindCase[] => CALIBRATION_FILES.flatMap((file) => readBlindSet(fileURLToPath(new URL(`../../eval/calibration/${file}`, import.meta.url))));

/** A case as the blind set is screened: a first message to a US number, age not verified, default settings. */
function factsOf(c: BlindCase): ScreeningFacts {
  const input = { id: c.id, body: c.body, to: '+14155552671', useCase: c.useCase, brand: c.brand, firstMessage: true };
  return factsFromEnvelope(envelopeOf(input), { settings: DEFAULT_SETTINGS } as TenantConfigEvent);
}

export interface CalibrationCase {
  case: BlindCase;
  first: ScreeningResult;
  scores: EncoderScores;
}

/** Every case screened once without the encoder, and the encoder's scores for every one of them. */
export async function screenCalibration(): Promise<{ cases: CalibrationCase[]; head: EncoderHeadFile; rules: ReturnType<typeof compileRules> }> {
  const rules = compileRules(loadRuleData());
  const second = await loadSecondStage();
  const cases: CalibrationCase[] = [];
  for (const c of readCalibration()) {
    const first = screen(c.body, factsOf(c), rules);
    cases.push({ case: c, first, scores: await second.pool.encoder.score(second.tokenizer.encode(normalise(c.body))) });
  }
  const head = second.pool.encoder.head;
  await second.pool.encoder.close();
  return { cases, head, rules };
}

const stopping = (r: ScreeningResult): boolean => r.decision === 'hold' || r.decision === 'block';

/** The decision with a given head file (bands and consult), and what stopped a stopped text. */
export function decide(
  c: CalibrationCase,
  head: Pick<EncoderHeadFile, 'version' | 'bands' | 'consult'>,
  rules: ReturnType<typeof compileRules>,
): { result: ScreeningResult; by: 'rule' | 'linear' | 'encoder' | '' } {
  const result = needsSecondOpinion(c.first, head) ? screen(c.case.body, factsOf(c.case), rules, { head, scores: c.scores }) : c.first;
  if (!stopping(result)) return { result, by: '' };
  const deciding = result.findings.filter((f) => f.action === 'hold' || f.action === 'block');
  const by = deciding.some((f) => !f.byModel) ? 'rule' : deciding.some((f) => f.reason.includes('text encoder') && !f.reason.includes('only holds')) ? 'encoder' : 'linear';
  return { result, by };
}

export function figures(cases: readonly CalibrationCase[], head: Pick<EncoderHeadFile, 'version' | 'bands' | 'consult'>, rules: ReturnType<typeof compileRules>) {
  let right = 0;
  let stopsWanted = 0;
  let benign = 0;
  const benignBy = { rule: 0, linear: 0, encoder: 0 };
  for (const c of cases) {
    const { result, by } = decide(c, head, rules);
    if (c.case.label === 'benign') {
      benign++;
      if (by) benignBy[by]++;
    } else {
      stopsWanted++;
      if (stopping(result) && result.categories.includes(c.case.label)) right++;
    }
  }
  const falseStops = benignBy.rule + benignBy.linear + benignBy.encoder;
  return { right: right / stopsWanted, benignStopped: falseStops / benign, benignBy, counts: { right, stopsWanted, falseStops, benign } };
}

/** The head with each class's hold band raised to at least `floor` (block at least its hold). */
export function withHoldFloor(head: EncoderHeadFile, floor: number, consult: number): Pick<EncoderHeadFile, 'version' | 'bands' | 'consult'> {
  const bands = Object.fromEntries(Object.entries(head.bands).map(([c, b]) => [c, { hold: Math.max(b.hold, floor), block: Math.max(b.block, b.hold, floor) }]));
  return { version: head.version, bands, consult };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { cases, head, rules } = await screenCalibration();
  console.log(`calibration set: ${cases.length} cases (${cases.filter((c) => c.case.label === 'benign').length} benign); text encoder ${head.version}, consult ${head.consult}\n`);
  const shipped = figures(cases, head, rules);
  console.log(
    `shipped head: right category ${percent(shipped.right)}, benign stopped ${percent(shipped.benignStopped)} (by a rule ${shipped.benignBy.rule}, linear ${shipped.benignBy.linear}, encoder ${shipped.benignBy.encoder})\n`,
  );
  const rows: (string | number)[][] = [['hold floor', 'consult', 'right category', 'benign stopped', 'by rule', 'by linear', 'by encoder']];
  for (const consult of [0.003, 0.01, 0.03, 0.1])
    for (const floor of [0.5, 0.7, 0.8, 0.9, 0.95, 0.98]) {
      const f = figures(cases, withHoldFloor(head, floor, consult), rules);
      rows.push([floor, consult, percent(f.right), percent(f.benignStopped), f.benignBy.rule, f.benignBy.linear, f.benignBy.encoder]);
    }
  console.log(formatTable(rows));
  console.log(`\nclasses: ${ENCODER_CLASSES.join(', ')}`);
}
