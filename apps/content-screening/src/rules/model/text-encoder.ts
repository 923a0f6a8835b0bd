import { readFileSync } from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { modelDir } from './encoder-input.js';
import { ENCODER_CLASSES, EncoderHeadFileSchema, POOL_FULL, type EncoderHeadFile, type EncoderScores } from './encoder-head.js';

/**
 * The heavier half of stage two: a pretrained sentence encoder (all-MiniLM-L6-v2, int8)
 * fine-tuned on the project's corpus (`npm run train:screening:encoder`), with a head that
 * reads the mean of its last hidden states and gives a probability per class. It runs only on
 * the uncertain band (`screen-message.ts` decides which texts), through `EncoderPool`.
 */

export class TextEncoder {
  private constructor(
    private readonly session: InferenceSession,
    readonly head: EncoderHeadFile,
  ) {}

  /** The model files from `dir` (apps/content-screening/model). A file that is missing or does not validate stops the caller. */
  static async load(dir = modelDir(), threads = 1): Promise<TextEncoder> {
    return TextEncoder.create(`${dir}text-encoder.onnx`, JSON.parse(readFileSync(`${dir}text-encoder-head.json`, 'utf8')), threads);
  }

  static async create(onnxPath: string, headJson: unknown, threads = 1): Promise<TextEncoder> {
    const head = EncoderHeadFileSchema.parse(headJson);
    if (head.classes.some((c, i) => c !== ENCODER_CLASSES[i])) throw new Error(`text-encoder-head.json: classes ${head.classes.join(',')} are not ${ENCODER_CLASSES.join(',')}`);
    const session = await InferenceSession.create(onnxPath, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
    return new TextEncoder(session, head);
  }

  get version(): string {
    return this.head.version;
  }

  /** Class probabilities for one text's word pieces (`EncoderTokenizer.encode`). */
  async score(ids: readonly number[]): Promise<EncoderScores> {
    const n = ids.length;
    const shape = [1, n];
    const output = await this.session.run({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), shape),
      attention_mask: new Tensor('int64', new BigInt64Array(n).fill(1n), shape),
      token_type_ids: new Tensor('int64', new BigInt64Array(n), shape),
    });
    const hidden = output['last_hidden_state']!.data as Float32Array;
    const width = hidden.length / n;
    const pooled = new Float64Array(width);
    for (let t = 0; t < n; t++) for (let d = 0; d < width; d++) pooled[d]! += hidden[t * width + d]! / n;
    return this.classify(pooled);
  }

  private classify(pooled: Float64Array): EncoderScores {
    const logits = this.head.weights.map((row, k) => row.reduce((sum, w, d) => sum + w * pooled[d]!, this.head.bias[k]!));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return Object.fromEntries(ENCODER_CLASSES.map((c, k) => [c, exps[k]! / total])) as EncoderScores;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Runs the encoder at most `concurrency` texts at a time (each on onnxruntime's own thread,
 * off the event loop), with at most `maxQueue` waiting; past that it answers POOL_FULL at once
 * rather than letting a burst grow the queue without bound.
 */
export class EncoderPool {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Texts refused because the queue was full, since start. */
  refused = 0;

  constructor(
    readonly encoder: TextEncoder,
    private readonly options: { concurrency: number; maxQueue: number },
  ) {}

  /** How many texts it takes at once without refusing any: those running and those waiting. */
  get capacity(): number {
    return this.options.concurrency + this.options.maxQueue;
  }

  async score(ids: readonly number[]): Promise<EncoderScores | typeof POOL_FULL> {
    if (this.running < this.options.concurrency) this.running++;
    else if (this.waiting.length >= this.options.maxQueue) {
      this.refused++;
      return POOL_FULL;
    } else await new Promise<void>((resolve) => this.waiting.push(resolve)); // a finishing text hands over its slot
    try {
      return await this.encoder.score(ids);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
