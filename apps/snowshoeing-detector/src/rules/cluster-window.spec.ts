import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCluster, evaluate, measure, observe, type ClusterState, type Observation } from './cluster-window.js';
import { loadSnowshoeRules, type SnowshoeRule } from './rule-data.js';

const data = loadSnowshoeRules();
const HOUR = 3_600_000;
const t0 = Date.parse('2026-11-27T08:00:00Z');
const window = (name: string) => data.windows.find((w) => w.name === name)!;
let serial = 0;

function send(state: ClusterState, sender: string, at: number, extra: Partial<Observation> = {}): ClusterState {
  return observe(state, { messageId: `m${++serial}`, tenantId: 'acme', sender, at, registered: true, inCampaignPool: true, newSender: false, senderSince: at, ...extra }, data);
}

describe('cluster windows', () => {
  it('count distinct senders per sliding window', () => {
    const state = emptyCluster('c1', t0);
    send(state, '+14155550101', t0);
    send(state, '+14155550102', t0 + 2 * HOUR);
    send(state, '+14155550103', t0 + 2 * HOUR + 60_000);
    assert.equal(measure(state, t0 + 2 * HOUR + 60_000, window('1h'), data).distinctSenders, 2);
    assert.equal(measure(state, t0 + 2 * HOUR + 60_000, window('24h'), data).distinctSenders, 3);
    // A day later only the latest sender is still inside the day window.
    send(state, '+14155550103', t0 + 26 * HOUR);
    assert.equal(measure(state, t0 + 26 * HOUR, window('24h'), data).distinctSenders, 2);
  });

  it('count messages per window in time buckets that slide', () => {
    const state = emptyCluster('c1', t0);
    for (let i = 0; i < 10; i++) send(state, '+14155550101', t0 + i * 60_000);
    assert.equal(measure(state, t0 + 9 * 60_000, window('1h'), data).messages, 10);
    send(state, '+14155550101', t0 + 3 * HOUR);
    assert.equal(measure(state, t0 + 3 * HOUR, window('1h'), data).messages, 1, 'the hour window forgot the first ten');
    assert.equal(measure(state, t0 + 3 * HOUR, window('24h'), data).messages, 11);
  });

  it("measure each sender's share: even spread gives many effective senders, one busy sender few", () => {
    const even = emptyCluster('even', t0);
    for (let i = 0; i < 100; i++) send(even, `+1415555${String(1000 + (i % 10))}`, t0 + i * 1000);
    const m = measure(even, t0 + 100_000, window('1h'), data);
    assert.equal(m.distinctSenders, 10);
    assert.ok(Math.abs(m.effectiveSenders - 10) < 1e-9);
    assert.equal(m.topShare, 0.1);

    const skewed = emptyCluster('skewed', t0);
    for (let i = 0; i < 100; i++) send(skewed, i < 91 ? '+14155550101' : `+1415555${String(2000 + i)}`, t0 + i * 1000);
    const s = measure(skewed, t0 + 100_000, window('1h'), data);
    assert.equal(s.distinctSenders, 10);
    assert.ok(s.effectiveSenders < 1.3, `effective ${s.effectiveSenders}`);
  });

  it('count the senders beyond what the volume justifies: none for a busy pool, most for a trickle over many numbers', () => {
    // A hospital's ten numbers carrying 1,500 messages an hour, from its first minute on.
    const busy = emptyCluster('busy', t0);
    let worst = 0;
    for (let i = 0; i < 600; i++) {
      send(busy, `+1312555${String(7000 + ((i * 7) % 10))}`, t0 + i * 2_400);
      worst = Math.max(worst, measure(busy, t0 + i * 2_400, window('1h'), data).excessSenders);
    }
    assert.equal(worst, 0, 'ten numbers at 150 messages an hour each are what the volume needs');
    // Forty numbers carrying 100 messages an hour between them: 2.5 each.
    const thin = emptyCluster('thin', t0);
    for (let i = 0; i < 100; i++) send(thin, `+1404555${String(1000 + (i % 40))}`, t0 + i * 36_000);
    const m = measure(thin, t0 + 100 * 36_000, window('1h'), data);
    assert.equal(m.distinctSenders, 40);
    assert.ok(m.excessSenders >= 30, `excess ${m.excessSenders}`);
  });

  it('see numbers that join a content already under way, but not the rest of an even pool', () => {
    const growing = emptyCluster('growing', t0);
    for (let i = 0; i < 200; i++) {
      const inUse = i < 100 ? 3 : 6;
      send(growing, `+1404555${String(1000 + (i % inUse))}`, t0 + i * 10_000);
    }
    assert.equal(measure(growing, t0 + 200 * 10_000, window('24h'), data).lateSenders, 3);
    // The same three extra numbers, in use for other content before this one began: not late.
    const known = emptyCluster('known', t0);
    for (let i = 0; i < 200; i++) send(known, `+1404555${String(1000 + (i % (i < 100 ? 3 : 6)))}`, t0 + i * 10_000, { senderSince: t0 - 3_600_000 });
    assert.equal(measure(known, t0 + 200 * 10_000, window('24h'), data).lateSenders, 0);
    // Ten numbers used at random: all of them show within the first messages.
    const pool = emptyCluster('pool', t0);
    for (let i = 0; i < 2000; i++) send(pool, `+1415555${String(4000 + ((i * 7919) % 10))}`, t0 + i * 5_000);
    assert.equal(measure(pool, t0 + 2000 * 5_000, window('24h'), data).lateSenders, 0);
  });

  it('see rotation: numbers used for a while and then dropped for the next', () => {
    const rotated = emptyCluster('rotated', t0);
    for (let i = 0; i < 360; i++) send(rotated, `+1404555${String(1000 + Math.floor(i / 60))}`, t0 + i * 10_000);
    assert.ok(measure(rotated, t0 + 360 * 10_000, window('24h'), data).retiredSenders >= 3);

    // Five numbers in even use (a sticky-sender pool) never look rotated.
    const pool = emptyCluster('pool', t0);
    for (let i = 0; i < 500; i++) send(pool, `+1415555${String(3000 + (i % 5))}`, t0 + i * 60_000);
    assert.equal(measure(pool, t0 + 500 * 60_000, window('24h'), data).retiredSenders, 0);

    // Ten numbers picked at random per recipient, 50,000 messages in a day: chance gaps in a
    // busy pool never add up to a rotation (the rule wants three retired numbers).
    const busy = emptyCluster('busy', t0);
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    let mostRetired = 0;
    for (let i = 0; i < 50_000; i++) {
      send(busy, `+1415555${String(4000 + Math.floor(random() * 10))}`, t0 + i * 1_500);
      if (i % 50 === 0) mostRetired = Math.max(mostRetired, measure(busy, t0 + i * 1_500, window('24h'), data).retiredSenders);
    }
    assert.ok(mostRetired < 3, `a random pool of ten looked rotated (${mostRetired} numbers retired)`);
  });

  it('count new, unregistered and out-of-campaign senders and other tenants', () => {
    const state = emptyCluster('c1', t0);
    send(state, '+1', t0, { newSender: true });
    send(state, '+2', t0, { registered: false });
    send(state, '+3', t0, { inCampaignPool: false });
    send(state, '+4', t0, { tenantId: 'other' });
    const m = measure(state, t0, window('24h'), data);
    assert.deepEqual([m.newSenders, m.unregisteredSenders, m.outsideCampaignPool, m.tenants], [1, 1, 1, 2]);
  });

  it('stay bounded however many messages and senders a cluster has', () => {
    const state = emptyCluster('big', t0);
    for (let i = 0; i < 20_000; i++) send(state, `+1404${String(1_000_000 + i)}`, t0 + i * 1000);
    const size = JSON.stringify(state).length;
    assert.ok(state.senders.length <= data.senders.maxTracked);
    assert.ok(state.samples.length <= data.senders.samples);
    assert.ok(size < 60_000, `state is ${size} bytes`);
    // Senders beyond the tracked ones still count.
    assert.ok(measure(state, t0 + 20_000 * 1000, window('24h'), data).distinctSenders > data.senders.maxTracked);
  });

  it('start over, hold included, after a quiet longest window', () => {
    const state = emptyCluster('c1', t0);
    send(state, '+1', t0);
    state.stop = { decision: 'hold', rule: 'spread-hour', window: '1h', at: t0, messageId: 'm0' };
    send(state, '+2', t0 + 25 * HOUR);
    assert.equal(state.stop, null);
    assert.equal(state.senders.length, 1);
  });

  it('fire the first rule whose every minimum is met', () => {
    const state = emptyCluster('c1', t0);
    for (let i = 0; i < 8; i++) send(state, `+1650555${String(1000 + i)}`, t0 + i * 1000);
    const rules: SnowshoeRule[] = [
      { name: 'needs-two', decision: 'hold', window: '1h', min: { distinctSenders: 8, tenants: 2 }, clauses: ['MP.EVASION.SNOWSHOE'], why: 'x' },
      { name: 'spread', decision: 'hold', window: '1h', min: { distinctSenders: 8 }, clauses: ['MP.EVASION.SNOWSHOE'], why: 'y' },
    ];
    assert.equal(evaluate(state, t0 + 8000, rules, data).fired?.rule.name, 'spread');
    assert.equal(evaluate(state, t0 + 8000, rules.slice(0, 1), data).fired, null);
  });
});
