import type { CompiledRules } from '../compile.js';
import { normalise } from '../normalise.js';
import { needsSecondOpinion, screen, type ScreeningFacts, type ScreeningResult } from '../screen-message.js';
import { POOL_FULL } from './encoder-head.js';
import { EncoderTokenizer } from './encoder-input.js';
import { EncoderPool, TextEncoder } from './text-encoder.js';

/** The encoder as the screening asks it: the pool that runs it and the tokenizer that feeds it. */
export interface SecondStage {
  pool: EncoderPool;
  tokenizer: EncoderTokenizer;
}

/**
 * Screens a body with both stages: the pure screening first; when the linear heads are unsure
 * (`needsSecondOpinion`), again with the encoder's opinion, or with the reason it could not be
 * asked (the text is then held). Without a second stage, the first screening stands.
 */
export async function screenTwoStage(body: string, facts: ScreeningFacts, rules: CompiledRules, second: SecondStage | undefined): Promise<ScreeningResult> {
  const first = screen(body, facts, rules);
  if (!second) return first;
  const { head } = second.pool.encoder;
  if (!needsSecondOpinion(first, head.consult)) return first;
  const scores = await second.pool.score(second.tokenizer.encode(normalise(body)));
  return screen(body, facts, rules, scores === POOL_FULL ? { head, unavailable: 'its queue is full' } : { head, scores });
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
export async function loadSecondStage(options: { concurrency: number; maxQueue: number } = { concurrency: 1, maxQueue: 1024 }): Promise<SecondStage> {
  return { pool: new EncoderPool(await TextEncoder.load(), options), tokenizer: new EncoderTokenizer() };
}
