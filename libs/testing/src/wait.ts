import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `probe` returns a value that is not undefined, or fails with what was awaited
 * and the last value seen. Tests wait for outcomes, never for fixed times.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, { timeoutMs = 20_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
