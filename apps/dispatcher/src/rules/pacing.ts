import type { RateBucket } from './sender-rate.js';

/**
 * Pacing by "virtual scheduling" (the generic cell rate algorithm): each bucket remembers when
 * it is free again. A message may start when all its buckets are free; it then holds each for
 * its segments divided by the bucket's rate. No bursts: messages of a sender start at least
 * segments/rate apart, which is the rate Twilio dequeues at, so its queue never grows.
 */
export class PacingBook {
  private readonly freeAt: Map<string, number>;

  constructor(freeAt: Iterable<[string, number]>) {
    this.freeAt = new Map(freeAt);
  }

  /** The earliest start for a message on these buckets (never before `nowMs`). */
  earliest(buckets: readonly RateBucket[], nowMs: number): number {
    return Math.max(nowMs, ...buckets.map((b) => this.freeAt.get(b.key) ?? -Infinity));
  }

  /** Books a message of `segments` starting at `startMs` (from `earliest`). */
  book(buckets: readonly RateBucket[], segments: number, startMs: number): void {
    for (const b of buckets) this.freeAt.set(b.key, startMs + (segments * 1000) / b.segmentsPerSecond);
  }

  entries(): [string, number][] {
    return [...this.freeAt];
  }
}
