import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { initializeWithRetry } from './database.module.js';

/** A stand-in for TypeORM's DataSource that fails to connect a given number of times. */
function flaky(failures: number) {
  const made: { initialized: boolean; disconnected: boolean }[] = [];
  const create = (): DataSource => {
    const state = { initialized: false, disconnected: false };
    made.push(state);
    const failing = made.length <= failures;
    return {
      get isInitialized() {
        return state.initialized;
      },
      async initialize() {
        if (failing) throw new Error('Connection terminated due to connection timeout');
        state.initialized = true;
        return this;
      },
      destroy: async () => undefined,
      driver: { disconnect: async () => void (state.disconnected = true) },
    } as unknown as DataSource;
  };
  return { create, made };
}

describe('initializeWithRetry', () => {
  const quick = { attempts: 3, backoff: { initialMs: 1, maxMs: 5, multiplier: 2 } };

  it('tries again with a fresh data source while the database does not answer, closing each failed pool', async () => {
    const { create, made } = flaky(2);
    const warned: unknown[] = [];
    const dataSource = await initializeWithRetry(create, { warn: (m: unknown) => void warned.push(m) }, quick);
    assert.equal(dataSource.isInitialized, true);
    assert.equal(made.length, 3);
    assert.deepEqual(
      made.map((m) => m.disconnected),
      [true, true, false],
    );
    assert.equal(warned.length, 2);
  });

  it('gives up with the database error after its last attempt', async () => {
    const { create, made } = flaky(5);
    await assert.rejects(initializeWithRetry(create, { warn: () => undefined }, quick), /connection timeout/);
    assert.equal(made.length, 3);
  });
});
