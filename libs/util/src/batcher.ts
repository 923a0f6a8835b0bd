interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Most items handed to one flush. */
  maxItems: number;
  /** Flushes allowed to run at once; items arriving meanwhile wait and form the next batch. */
  maxConcurrent: number;
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
    private readonly options: BatcherOptions,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      queueMicrotask(() => this.pump());
    });
  }

  get pending(): number {
    return this.waiting.length + this.running;
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxItems);
      this.running++;
      void this.run(batch);
    }
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
