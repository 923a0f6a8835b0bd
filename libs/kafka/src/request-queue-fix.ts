import { createRequire } from 'node:module';

/** The part of kafkajs's per-connection request queue (an internal class) this fix touches. */
export interface KafkaRequestQueue {
  pending: unknown[];
  scheduleCheckPendingRequests: (this: KafkaRequestQueue) => void;
  checkPendingRequests: (this: KafkaRequestQueue) => void;
}

const FIXED = Symbol.for('sms-gateway.kafkajs-idle-queue-fix');

/** kafkajs's request queue class, loaded from the same module instance the client uses. */
export function kafkaRequestQueue(): { prototype: KafkaRequestQueue & { [FIXED]?: true } } {
  return createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: KafkaRequestQueue & { [FIXED]?: true } };
}

/**
 * kafkajs 2.2.4, its last release, re-arms a timer on every broker connection after each
 * check of the connection's request queue, even when nothing waits in it: without a
 * client-side throttle the delay is negative, so the check runs every millisecond for as long
 * as the connection is open (kafkajs issues 1556, 1704 and 1751). Here that was a connected,
 * idle producer using 0.047 cores, and the whole stack 0.62 of its machine's two cores while
 * it had nothing to do.
 *
 * With nothing pending there is nothing to check: a request queued later schedules its own
 * check (throttled, or over the in-flight limit), and every answered or timed-out request
 * checks the queue itself. Applied once per process, before any connection is made.
 */
export function fixIdleRequestQueuePolling(): void {
  const { prototype } = kafkaRequestQueue();
  if (prototype[FIXED]) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  if (typeof schedule !== 'function') throw new Error('kafkajs changed: RequestQueue.scheduleCheckPendingRequests is gone; review libs/kafka/src/request-queue-fix.ts');
  prototype.scheduleCheckPendingRequests = function (this: KafkaRequestQueue) {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  prototype[FIXED] = true;
}
