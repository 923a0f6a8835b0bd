import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import type { TenantConfigEvent } from '@sms/contracts';
import { ProblemException } from '@sms/nest-runtime';
import { aTenant, testStack } from '@sms/testing';
import type { IntakeConfig } from '../config.js';
import { TenantRateLimitGuard } from './tenant-rate-limiter.js';

/** One HTTP request of `tenant` as the guard sees it, and the headers its answer was given. */
function requestOf(tenant: TenantConfigEvent | undefined) {
  const headers = new Map<string, string>();
  const context = {
    switchToHttp: () => ({ getRequest: () => ({ tenant }), getResponse: () => ({ setHeader: (name: string, value: string) => headers.set(name, value) }) }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

const guards: TenantRateLimitGuard[] = [];
/** A guard as a started intake has it (connected to Redis, or given up waiting for it). */
async function guard(redisUrl: string, perSecond = 1000): Promise<TenantRateLimitGuard> {
  const g = new TenantRateLimitGuard({ REDIS_URL: redisUrl, RATE_LIMIT_PER_SECOND: perSecond } as IntakeConfig);
  guards.push(g);
  await g.onApplicationBootstrap();
  return g;
}
after(async () => Promise.all(guards.map((g) => g.onApplicationShutdown())));

/** How many of `count` requests at once the guard lets through; the refusals, as thrown, with the headers of their answers. */
async function burst(g: TenantRateLimitGuard, tenant: TenantConfigEvent, count: number) {
  const requests = Array.from({ length: count }, () => requestOf(tenant));
  const answers = await Promise.allSettled(requests.map((r) => g.canActivate(r.context)));
  const refusals = answers.flatMap((a, i) => (a.status === 'rejected' ? [{ error: a.reason as unknown, headers: requests[i]!.headers }] : []));
  return { passed: answers.length - refusals.length, refusals };
}

/** A tenant of its own per test, so that runs never share a counter. */
const tenantWith = (rateLimitPerSecond?: number): TenantConfigEvent => {
  const t = aTenant({ tenantId: `rate-${randomUUID().slice(0, 8)}` });
  return rateLimitPerSecond === undefined ? t : { ...t, settings: { ...t.settings, rateLimitPerSecond } };
};

describe('TenantRateLimitGuard (per-tenant limit in Redis)', () => {
  const { redisUrl } = testStack();

  it("lets a tenant send its setting's messages in a second, then answers 429 with Retry-After", async () => {
    const g = await guard(redisUrl);
    const tenant = tenantWith(3);
    const first = await burst(g, tenant, 5);
    assert.equal(first.passed, 3);
    assert.equal(first.refusals.length, 2);
    // Read from the burst's own refusals: a request made later could fall in the next second's window.
    const { error: refusal, headers } = first.refusals[0]!;
    assert.ok(refusal instanceof ProblemException, String(refusal));
    assert.equal(refusal.getStatus(), 429);
    assert.match(JSON.stringify(refusal.getResponse()), /this tenant may send 3 messages per second/);
    assert.equal(headers.get('Retry-After'), '1');
  });

  it("one tenant's burst leaves another tenant's allowance alone", async () => {
    const g = await guard(redisUrl);
    const busy = tenantWith(2);
    await burst(g, busy, 10);
    assert.equal((await burst(g, tenantWith(2), 2)).passed, 2);
  });

  it('a tenant without its own setting gets the service default (RATE_LIMIT_PER_SECOND)', async () => {
    assert.equal((await burst(await guard(redisUrl, 4), tenantWith(), 6)).passed, 4);
  });

  it('the limit is shared by every intake instance through Redis', async () => {
    const tenant = tenantWith(4);
    const [a, b] = await Promise.all([guard(redisUrl), guard(redisUrl)]);
    const [fromA, fromB] = await Promise.all([burst(a, tenant, 3), burst(b, tenant, 3)]);
    assert.equal(fromA.passed + fromB.passed, 4);
  });

  it('keeps limiting in memory while Redis cannot be reached', async () => {
    const g = await guard('redis://127.0.0.1:1/0');
    assert.equal((await burst(g, tenantWith(3), 5)).passed, 3);
  });

  it('leaves a request without a tenant to the API key guard before it', async () => {
    assert.equal(await (await guard(redisUrl)).canActivate(requestOf(undefined).context), true);
  });
});
