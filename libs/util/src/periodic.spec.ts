import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Periodic } from './periodic.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Periodic', () => {
  it('never overlaps a run still going, goes on after a failure, and stop waits for the run in progress', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let finished = 0;
    const errors: string[] = [];
    const task = new Periodic(
      5,
      async () => {
        runs++;
        active++;
        most = Math.max(most, active);
        await sleep(30);
        active--;
        finished++;
        if (runs === 1) throw new Error('first run fails');
      },
      (error) => errors.push(error.message),
    );
    task.start();
    await sleep(120);
    await task.stop();
    assert.equal(most, 1, 'one run at a time');
    assert.ok(runs >= 2, `ran again after the failure (${runs} runs)`);
    assert.deepEqual(errors, ['first run fails']);
    assert.equal(finished, runs, 'stop waited for the run in progress');
    await sleep(30);
    assert.equal(runs, finished, 'no run after stop');
  });
});
