import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Response } from 'express';
import { HealthController, type HealthCheck } from './health.js';

/** The parts of an Express response the controller writes. */
function answer(): { response: Response; sent: Promise<{ code: number; body: unknown }> } {
  let resolve!: (value: { code: number; body: unknown }) => void;
  const sent = new Promise<{ code: number; body: unknown }>((r) => (resolve = r));
  let code = 0;
  const response = {
    status(value: number) {
      code = value;
      return this;
    },
    json(body: unknown) {
      resolve({ code, body });
      return this;
    },
  } as unknown as Response;
  return { response, sent };
}

const check = (name: string, result: () => Promise<boolean>): HealthCheck => ({ name, check: result });

describe('HealthController', () => {
  it('is ready only when every check passes, and names the one that fails', async () => {
    const ready = answer();
    await new HealthController([check('database', async () => true), check('tenants', async () => true)]).health(ready.response);
    assert.deepEqual(await ready.sent, { code: 200, body: { status: 'ok', checks: { database: true, tenants: true } } });
    const failing = answer();
    await new HealthController([check('database', async () => Promise.reject(new Error('connection refused'))), check('tenants', async () => true)]).health(failing.response);
    assert.deepEqual(await failing.sent, { code: 503, body: { status: 'unavailable', checks: { database: false, tenants: true } } });
  });

  it('answers liveness while a dependency does not answer at all', async () => {
    const never = check('database', () => new Promise<boolean>(() => undefined));
    const controller = new HealthController([never]);
    const live = answer();
    controller.live(live.response);
    assert.deepEqual(await live.sent, { code: 200, body: { status: 'ok' } });
  });
});
