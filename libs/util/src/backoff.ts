export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

/**
 * Exponential backoff with "full jitter": a random delay between 0 and the exponential cap,
 * which spreads retries of many callers instead of synchronising them.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt));
  return Math.round(random() * cap);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    // A delay computed from a deadline can come out a millisecond below zero: Node 24 warns
    // (TimeoutNegativeWarning) and waits one millisecond, which is what zero means here.
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
