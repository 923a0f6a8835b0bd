import { seededRandom, type Random } from '@sms/util';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readUci } from '../eval/public-sets.js';
import { MODEL_HEADS } from '../../src/rules/model/text-model.js';
import { IGNORED, NEGATIVE, POSITIVE } from './ftrl.js';

/**
 * The project's labelled corpus (apps/content-screening/corpus, README there) as training
 * texts for the model's heads, with the UCI rows: ham as ordinary personal text, spam as fraud.
 */

export const CORPUS_LABELS = ['benign', ...MODEL_HEADS] as const;
export type CorpusLabel = (typeof CORPUS_LABELS)[number];

export const CorpusEntrySchema = z.strictObject({
  text: z.string().min(1).max(1600),
  label: z.enum(CORPUS_LABELS),
  lang: z.enum(['en', 'es']),
  useCase: z.enum(['informational', 'marketing', 'conversational']),
  /** The text already carries a sender name and/or an opt-out line. */
  framed: z.boolean(),
  brand: z.string().min(1).optional(),
  note: z.string().optional(),
});
export type CorpusEntry = z.infer<typeof CorpusEntrySchema> & { source: string };

/** One text the heads learn from, with where it came from. */
export interface TrainingText {
  text: string;
  label: CorpusLabel;
  useCase: CorpusEntry['useCase'];
  lang: CorpusEntry['lang'];
  /** file:line, "file:line framed" for a framed copy, or "uci:line". */
  source: string;
  /** Copies of one written message share a group, so that cross-validation never splits them. */
  group: number;
  /** The one head this text teaches, the others leaving it out; unset, it teaches every head. */
  teaches?: (typeof MODEL_HEADS)[number];
}

export const corpusDir = (): string => fileURLToPath(new URL('../../corpus/', import.meta.url));
export const uciPath = (): string => fileURLToPath(new URL('../../eval/data/uci_SMSSpamCollection.tsv', import.meta.url));

/** Every corpus file (corpus/*.jsonl); a line that does not parse or validate stops with its file and line. */
export function readCorpus(dir = corpusDir()): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (line.trim() === '') return;
        const where = `${file}:${index + 1}`;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch (error) {
          throw new Error(`corpus ${where}: not JSON (${(error as Error).message})`);
        }
        const parsed = CorpusEntrySchema.safeParse(json);
        if (!parsed.success) throw new Error(`corpus ${where}: ${z.prettifyError(parsed.error)}`);
        entries.push({ ...parsed.data, source: where });
      });
  }
  return entries;
}

/** sha256 over the corpus files and the UCI set, in name order: the model records what it was trained on. */
export function corpusDigest(dir = corpusDir()): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort())
    hash.update(file).update(readFileSync(join(dir, file)));
  return hash.update('uci').update(readFileSync(uciPath())).digest('hex');
}

// Frames as clinics write them: prohibited texts get the same frames as legitimate ones, so
// that no head learns "a sender name and a STOP line mean lawful".
const BRANDS = [
  'Brightside Dental',
  'Lakeview Family Clinic',
  'Harbor Dermatology',
  'Cedar Physical Therapy',
  'Northgate Pharmacy',
  'Sunrise Pediatrics',
  'Pine Ridge Vet',
  'Clínica San Rafael',
  'Centro Médico La Esperanza',
  'Valley Eye Care',
  'Summit Med Spa',
  'Riverbend Urgent Care',
  'Oak Street Health',
  'Bayside Ortho',
  'Main St Deals',
  'QuickShip Rewards',
  'Metro Wellness',
  'Coastal Labs',
  'Evergreen Hearing',
  'Salud Total',
];
const PREFIXES = ['{brand}: ', '{brand} - ', '[{brand}] ', 'From {brand}: ', '{brand}\n'];
const FOOTERS = {
  en: [' Reply STOP to opt out.', ' Txt STOP to end.', ' Reply STOP to unsubscribe. Msg&data rates may apply.', ' Reply HELP for help, STOP to cancel.', '\nSTOP to quit'],
  es: [' Responda STOP para cancelar.', ' Envíe STOP para no recibir más mensajes.', ' Responde STOP para darte de baja.', ' Resp. STOP para salir'],
};
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A bare text in a sender's frame: a name before it, an opt-out line after it, or both. */
export function frame(entry: CorpusEntry, random: Random): string {
  const brand = entry.brand ?? pick(random, BRANDS);
  const roll = random();
  const prefix = roll < 0.8 ? pick(random, PREFIXES).replace('{brand}', brand) : '';
  const footer = roll >= 0.5 || prefix === '' ? pick(random, FOOTERS[entry.lang]) : '';
  return `${prefix}${entry.text.trim()}${footer}`;
}

/**
 * The corpus as training texts: every entry, a framed copy of each bare one, and the UCI rows.
 * UCI's spam (UK premium-rate texts of 2003-2012: prizes to claim on a 09 number, handsets,
 * unredeemed points, ringtone and chat subscriptions) teaches the fraud head only: it is
 * unsolicited and deceptive, but some of it is adult chat or ringtone offers, which is no
 * evidence for or against the other heads.
 */
export function trainingTexts(entries: readonly CorpusEntry[], seed: number, uci = uciPath()): TrainingText[] {
  const random = seededRandom(seed);
  const texts: TrainingText[] = [];
  let group = 0;
  for (const entry of entries) {
    const base = { label: entry.label, useCase: entry.useCase, lang: entry.lang, group: group++ };
    texts.push({ ...base, text: entry.text, source: entry.source });
    if (!entry.framed && entry.useCase !== 'conversational') texts.push({ ...base, text: frame(entry, random), source: `${entry.source} framed` });
  }
  readUci(uci).forEach((row, index) => {
    const base = { text: row.text, useCase: 'conversational', lang: 'en', source: `uci:${index + 1}`, group: group++ } as const;
    texts.push(row.label === 'ham' ? { ...base, label: 'benign' } : { ...base, label: 'fraud', teaches: 'fraud' });
  });
  return texts;
}

/**
 * What a text teaches each head. A category head learns its category against everything
 * else; the promotional head learns "promotes something" from lawful texts only: marketing
 * and promotions slipped into informational texts against informational texts and replies.
 */
export function headLabels(text: Pick<TrainingText, 'label' | 'useCase' | 'teaches'>): Uint8Array {
  return Uint8Array.from(MODEL_HEADS, (head) => {
    if (text.teaches !== undefined && text.teaches !== head) return IGNORED;
    if (head !== 'promotional') return text.label === head ? POSITIVE : NEGATIVE;
    if (text.label === 'promotional') return POSITIVE;
    if (text.label !== 'benign') return IGNORED;
    return text.useCase === 'marketing' ? POSITIVE : NEGATIVE;
  });
}
