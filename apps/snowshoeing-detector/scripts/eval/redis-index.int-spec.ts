import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testStack } from '@sms/testing';
import { Redis } from 'ioredis';
import { indexSettings } from '../../src/detection/cluster-assignment.js';
import { MemoryStore } from '../../src/detection/memory-store.js';
import { RedisStore, redisStoreSettings } from '../../src/detection/redis-store.js';
import { fingerprint, TextRules } from '../../src/rules/fingerprint.js';
import { loadSnowshoeRules, loadTextNormalisation } from '../../src/rules/rule-data.js';
import { generateTraffic } from './traffic.js';

// The shared index in Redis against the in-memory one, over the evaluation's generated traffic
// (moved from src/detection/snowshoe.int-spec.ts with the traffic generator: src never imports scripts).
const stack = testStack();
const rules = loadSnowshoeRules();
const text = loadTextNormalisation();
const redis = new Redis(stack.redisUrl, { lazyConnect: true });
const runId = randomUUID().slice(0, 8);
const prefixes: string[] = [];

before(async () => {
  await redis.connect();
});

after(async () => {
  for (const prefix of prefixes) await new RedisStore(redis, prefix, redisStoreSettings(rules)).deleteAll();
  assert.equal((await redis.keys(`snowshoe-it-${runId}*`)).length, 0, 'the test leaves nothing in Redis');
  await redis.quit();
});

describe('snowshoeing detector with Redis', () => {
  it('assigns clusters in Redis exactly as in memory', async () => {
    const store = new RedisStore(redis, `snowshoe-it-${runId}-index:`, redisStoreSettings(rules));
    prefixes.push(store.prefix);
    const memory = new MemoryStore(indexSettings(rules.similarity, 86_400_000), 86_400_000);
    const textRules = new TextRules(text);
    const traffic = generateTraffic(7, 0.3).stream.slice(0, 3000);
    const now = Date.now();
    const fingerprints = traffic.map((m) => fingerprint(m.body, textRules, rules.similarity));
    const inMemory = fingerprints.map((f) => memory.assignOne(f, now));
    const inRedis = [];
    for (let i = 0; i < fingerprints.length; i += 500) inRedis.push(...(await store.assign(fingerprints.slice(i, i + 500), now)));
    assert.deepEqual(inRedis, inMemory);
    assert.ok(inMemory.some((a) => a.match === 'near_duplicate') && inMemory.some((a) => a.match === 'template'));
  });
});
