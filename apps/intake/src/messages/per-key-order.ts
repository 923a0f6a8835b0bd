interface Queued<T> {
  item: T;
  /** Whether the item is to be handled at all, once known (e.g. whether its insert stored it). */
  wanted: boolean | undefined;
  done: () => void;
}

/**
 * Hands items to `handle` in the order they were added per key, keys side by side. Intake
 * publishes one recipient's messages through it: a message's turn is taken when it is
 * accepted, and it is published only once everything accepted before it for the same
 * recipient is on the topic, whatever order the outbox inserts finished in.
 *
 * Per key, `handle` gets every item whose turn has come at once, in order (one produce
 * request for a burst to one recipient, not a round trip each), and is not called again for
 * that key until it has returned: it must not return before the items are handled (it
 * retries itself; what it gives up on, the outbox relay takes).
 */
export class PerKeyOrder<T> {
  private readonly queues = new Map<string, Queued<T>[]>();

  constructor(private readonly handle: (key: string, items: T[]) => Promise<void>) {}

  /**
   * Takes `item`'s turn behind the items already added for `key`. `wanted` says, when it
   * settles, whether the item is to be handled (false or a rejection: it is skipped). Resolves
   * once the item was handled or skipped.
   */
  add(key: string, item: T, wanted: Promise<boolean> | boolean): Promise<void> {
    return new Promise<void>((done) => {
      const entry: Queued<T> = { item, wanted: undefined, done };
      if (typeof wanted === 'boolean') entry.wanted = wanted;
      else
        wanted
          .then(
            (w) => (entry.wanted = w),
            () => (entry.wanted = false),
          )
          .finally(() => this.wake(key));
      const queue = this.queues.get(key);
      if (queue) queue.push(entry);
      else {
        this.queues.set(key, [entry]);
        void this.drain(key);
      }
    });
  }

  /** Keys with items waiting or being handled. */
  get size(): number {
    return this.queues.size;
  }

  private readonly waking = new Map<string, () => void>();

  private wake(key: string): void {
    const resume = this.waking.get(key);
    this.waking.delete(key);
    resume?.();
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length > 0) {
      if (queue[0]!.wanted === undefined) {
        await new Promise<void>((resume) => this.waking.set(key, resume));
        continue;
      }
      let ready = 0;
      while (ready < queue.length && queue[ready]!.wanted !== undefined) ready++;
      const turn = queue.splice(0, ready);
      const items = turn.filter((q) => q.wanted).map((q) => q.item);
      try {
        if (items.length > 0) await this.handle(key, items);
      } catch {
        // `handle` reports its own failures; the items' order was kept either way.
      }
      for (const q of turn) q.done();
    }
    this.queues.delete(key);
  }
}
