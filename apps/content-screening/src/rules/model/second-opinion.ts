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

/** The encoder from apps/content-screening/model, in a pool of `concurrency` threads with `maxQueue` texts waiting. */
export async function loadSecondStage(options: { concurrency: number; maxQueue: number } = { concurrency: 1, maxQueue: 1024 }): Promise<SecondStage> {
  return { pool: new EncoderPool(await TextEncoder.load(), options), tokenizer: new EncoderTokenizer() };
}
