import { LRUCache } from 'lru-cache';
import { isStopping } from '@sms/contracts';
import type { CompiledRules } from '../compile.js';
import { normalise } from '../normalise.js';
import { needsSecondOpinion, screen, type ScreeningFacts, type ScreeningResult } from '../screen-message.js';
import { ENCODER_CLASSES, POOL_FULL, type EncoderScores } from './encoder-head.js';
import { EncoderTokenizer } from './encoder-input.js';
import { textWindows } from './features.js';
import { EncoderPool, TextEncoder } from './text-encoder.js';

/** The encoder as the screening asks it: the pool that runs it, the tokenizer that feeds it, and what it answered lately. */
export interface SecondStage {
  pool: EncoderPool;
  tokenizer: EncoderTokenizer;
  cache?: EncoderCache;
}

/**
 * The encoder's answers for the texts it read last, by normalised text. A clinic's campaign
 * sends one wording to thousands of patients, often in one fetched batch: the encoder reads it
 * once, and the copies that arrive while it reads wait for that answer rather than queueing
 * again. A refusal (the pool's queue full) is never kept.
 */
export class EncoderCache {
  private readonly answers: LRUCache<string, EncoderScores, () => readonly number[]>;
  /** Texts asked about, and of them those the encoder read (the rest were answered from the cache). */
  asked = 0;
  read = 0;

  constructor(
    pool: EncoderPool,
    readonly maxTexts = 4096,
  ) {
    this.answers = new LRUCache<string, EncoderScores, () => readonly number[]>({
      max: maxTexts,
      // More texts in flight than the cache holds evict some before the encoder answers: each
      // still gets its answer (by default an evicted fetch is rejected).
      ignoreFetchAbort: true,
      fetchMethod: async (_text, _stale, { context }) => {
        this.read++;
        const scores = await pool.score(context());
        return scores === POOL_FULL ? undefined : scores;
      },
    });
  }

  /** The encoder's answer for a normalised text, asking it (with the text's word pieces, `ids()`) only when none is kept. */
  async score(text: string, ids: () => readonly number[]): Promise<EncoderScores | typeof POOL_FULL> {
    this.asked++;
    return (await this.answers.fetch(text, { context: ids })) ?? POOL_FULL;
  }
}

/** The digit shifts of the renderings a stopping answer is checked on: every digit d read as d + 1, then as d + 5 (mod 10). */
export const DIGIT_SHIFTS = [1, 5] as const;

/** The body with every digit d written as d + `shift` (mod 10): a rendering of one template with other numbers. */
export function withDigitsShifted(body: string, shift: number): string {
  return body.replace(/[0-9]/g, (d) => String((Number(d) + shift) % 10));
}

/**
 * The encoder's answer for a body. A body longer than `READ_WINDOW` is read window by window, as
 * the linear heads read it (the encoder reads at most 128 word pieces, and filler put first would
 * hide the rest): each category at its highest over the windows, lawful at its lowest.
 */
async function ask(second: SecondStage, body: string): Promise<EncoderScores | typeof POOL_FULL> {
  const text = normalise(body).text;
  let strongest: EncoderScores | undefined;
  for (const [start, end] of textWindows(text)) {
    const scores = await askAbout(second, text.slice(start, end));
    if (scores === POOL_FULL) return POOL_FULL;
    if (!strongest) strongest = { ...scores };
    else for (const c of ENCODER_CLASSES) strongest[c] = c === 'benign' ? Math.min(strongest[c], scores[c]) : Math.max(strongest[c], scores[c]);
  }
  return strongest!;
}

function askAbout(second: SecondStage, text: string): Promise<EncoderScores | typeof POOL_FULL> {
  const ids = (): number[] => second.tokenizer.encode({ text });
  return second.cache ? second.cache.score(text, ids) : second.pool.score(ids());
}

/**
 * Screens a body with both stages: the pure screening first; when the linear heads are unsure
 * (`needsSecondOpinion`), again with the encoder's opinion, or with the reason it could not be
 * asked (the text is then held). Without a second stage, the first screening stands.
 *
 * A number alone never makes a category: when the encoder's answer stops a text that has
 * digits, the text is read again with its digits shifted (`DIGIT_SHIFTS`), as the platform's
 * templates go out with every time, amount and count, and each class counts at its lowest of
 * the three. A refusal of the pool then keeps the stop (fails closed), and a text the encoder
 * fails on is held for review with the error, as when its queue is full.
 */
export async function screenTwoStage(body: string, facts: ScreeningFacts, rules: CompiledRules, second: SecondStage | undefined): Promise<ScreeningResult> {
  const first = screen(body, facts, rules);
  if (!second) return first;
  const { head } = second.pool.encoder;
  if (!needsSecondOpinion(first, head)) return first;
  let scores: EncoderScores | typeof POOL_FULL;
  try {
    scores = await ask(second, body);
  } catch (error) {
    // The encoder failed on this text: held for review like a refusal, not retried for ever.
    return screen(body, facts, rules, { head, unavailable: `it failed: ${(error as Error).message}` });
  }
  if (scores === POOL_FULL) return screen(body, facts, rules, { head, unavailable: 'its queue is full' });
  const result = screen(body, facts, rules, { head, scores });
  if (!isStopping(result.decision) || !/[0-9]/.test(body)) return result;
  const lowest = { ...scores };
  for (const shift of DIGIT_SHIFTS) {
    const other = await ask(second, withDigitsShifted(body, shift)).catch(() => POOL_FULL);
    if (other === POOL_FULL) return result;
    for (const c of ENCODER_CLASSES) lowest[c] = Math.min(lowest[c], other[c]);
  }
  return screen(body, facts, rules, { head, scores: lowest, renderings: DIGIT_SHIFTS.length });
}

/**
 * Screens a consumer's batch with both stages, in slices the encoder's pool can take whole: a
 * fetched batch (thousands of records at a burst) would otherwise fill the pool's queue by itself
 * and have the rest held as if the encoder were overloaded, while Kafka, holding the batch
 * uncommitted, is the queue that should wait. The pool's bound still fails closed when other
 * callers share it.
 */
export async function screenBatch(items: readonly { body: string; facts: ScreeningFacts }[], rules: CompiledRules, second: SecondStage | undefined): Promise<ScreeningResult[]> {
  if (!second) return items.map(({ body, facts }) => screen(body, facts, rules));
  const results: ScreeningResult[] = [];
  for (let start = 0; start < items.length; start += second.pool.capacity) {
    const slice = items.slice(start, start + second.pool.capacity);
    results.push(...(await Promise.all(slice.map(({ body, facts }) => screenTwoStage(body, facts, rules, second)))));
  }
  return results;
}

/** The encoder from apps/content-screening/model, in a pool of `concurrency` threads with `maxQueue` texts waiting. */
export async function loadSecondStage(options: { concurrency: number; maxQueue: number; cachedTexts?: number } = { concurrency: 1, maxQueue: 1024 }): Promise<SecondStage> {
  const pool = new EncoderPool(await TextEncoder.load(), options);
  return { pool, tokenizer: new EncoderTokenizer(), cache: new EncoderCache(pool, options.cachedTexts) };
}
