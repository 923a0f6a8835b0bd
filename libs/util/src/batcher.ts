interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions<I> {
  /** Most items handed to one flush (counted by `weight` when given; a flush takes one item at least). */
  maxItems: number;
  /** Flushes allowed to run at once; items arriving meanwhile wait and form the next batch. */
  maxConcurrent: number;
  /** What one item counts for against maxItems (default 1), e.g. the records it carries. */
  weight?: (item: I) => number;
  /**
   * When a free slot flushes what has arrived: after the current microtasks (default), or after
   * the current turn of the event loop, for callers that arrive a few callbacks apart.
   */
  gather?: 'microtask' | 'turn';
}

/**
 * Turns many concurrent single-item calls into few batched calls (one INSERT for many rows,
 * one request for many records) without adding latency at low load: a flush starts as soon
 * as a slot is free, and whatever arrives while all slots are busy forms the next batch.
 */
export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions<I>,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.options.gather === 'turn') setImmediate(() => this.pump());
      else queueMicrotask(() => this.pump());
    });
  }

  get pending(): number {
    return this.waiting.length + this.running;
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.fitting());
      this.running++;
      void this.run(batch);
    }
  }

  /** How many of the waiting items the next flush takes. */
  private fitting(): number {
    const { weight, maxItems } = this.options;
    if (!weight) return maxItems;
    let total = 0;
    const over = this.waiting.findIndex((w) => (total += weight(w.item)) > maxItems);
    return over === -1 ? this.waiting.length : Math.max(1, over);
  }

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.flush(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch flush returned ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.running--;
      this.pump();
    }
  }
}
