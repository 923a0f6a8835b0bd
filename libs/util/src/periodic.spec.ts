import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Periodic } from './periodic.js';

/** A run the test finishes by hand, so no assertion depends on how fast the machine is. */
function deferred() {
  let settle!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  return { done, settle };
}

/** Lets the promise callbacks queued by a settled run go first. */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Periodic', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  function started(onError: (error: Error) => void = () => undefined) {
    const runs: ReturnType<typeof deferred>[] = [];
    const periodic = new Periodic(
      10,
      () => {
        const run = deferred();
        runs.push(run);
        return run.done;
      },
      onError,
    );
    periodic.start();
    return { periodic, runs };
  }

  it('runs once per tick and skips the ticks that come while a run is still going', async () => {
    const { periodic, runs } = started();
    mock.timers.tick(9);
    assert.equal(runs.length, 0, 'nothing before the first tick');
    mock.timers.tick(1);
    assert.equal(runs.length, 1);
    mock.timers.tick(30);
    assert.equal(runs.length, 1, 'three ticks skipped while the first run goes on');
    runs[0]!.settle();
    await drain();
    mock.timers.tick(10);
    assert.equal(runs.length, 2, 'the next tick after it ends runs again');
    runs[1]!.settle();
    await periodic.stop();
  });

  it('reports a failed run and runs again at the next tick', async () => {
    const errors: string[] = [];
    const { periodic, runs } = started((error) => errors.push(error.message));
    mock.timers.tick(10);
    runs[0]!.settle(new Error('first run fails'));
    await drain();
    assert.deepEqual(errors, ['first run fails']);
    mock.timers.tick(10);
    assert.equal(runs.length, 2);
    runs[1]!.settle();
    await periodic.stop();
    assert.deepEqual(errors, ['first run fails'], 'the second run succeeded');
  });

  it('stop waits for the run in progress and no tick runs after it', async () => {
    const { periodic, runs } = started();
    mock.timers.tick(10);
    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await drain();
    assert.equal(stopped, false, 'stop is still waiting for the run');
    runs[0]!.settle();
    await stopping;
    assert.equal(stopped, true);
    mock.timers.tick(100);
    assert.equal(runs.length, 1, 'no run after stop');
  });
});
