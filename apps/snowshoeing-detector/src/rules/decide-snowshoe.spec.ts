import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusteredMessageEvent, TenantConfigEvent } from '@sms/contracts';
import { anEnvelope, aTenant } from '@sms/testing';
import { indexSettings } from '../detection/cluster-assignment.js';
import { MemoryStore } from '../detection/memory-store.js';
import { decideSnowshoe, effectiveRules, senderOf, tenantClusterId, type Decision } from './decide-snowshoe.js';
import type { SharedMeasures } from './markers.js';
import { loadSnowshoeRules } from './rule-data.js';

const data = loadSnowshoeRules();
const t0 = Date.parse('2026-11-27T08:00:00Z');
const MS = 'MG0123456789abcdef0123456789abcdef';
const CLUSTER = 'c0ffee00c0ffee00';

function store(): MemoryStore {
  return new MemoryStore(indexSettings(data.similarity, 86_400_000), 86_400_000);
}

function tenantWith(id: string, numbers: string[], overrides: Partial<Parameters<typeof aTenant>[0]> = {}): TenantConfigEvent {
  return aTenant({
    tenantId: id,
    senders: numbers.map((number) => ({ number, type: 'long_code', brand: 'Acme Dental', messagingServiceSid: MS })),
    ...overrides,
  });
}

let serial = 0;
function decide(
  view: MemoryStore,
  tenant: TenantConfigEvent | undefined,
  message: { from?: string; ms?: string; to?: string; at: number; campaign?: string; tenantId?: string; markers?: string[] },
  cluster = CLUSTER,
): Decision {
  const envelope = anEnvelope({
    id: `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`,
    tenantId: message.tenantId ?? tenant?.tenantId ?? 'acme-dental',
    acceptedAt: new Date(message.at).toISOString(),
    message: {
      from: message.from,
      ...(message.ms ? { messagingServiceSid: message.ms } : {}),
      to: message.to ?? `+1212${String(2_000_000 + serial)}`,
      campaign: message.campaign ?? 'offers',
    },
  });
  const input: ClusteredMessageEvent = { envelope, clusterId: cluster, template: cluster, match: 'template' };
  view.advance(message.at);
  const shared: SharedMeasures | undefined = message.markers ? view.observeMarkers(message.markers, envelope.tenantId, senderOf(envelope, tenant), message.at, data) : undefined;
  return decideSnowshoe(input, tenant, view, data, 'tenants', new Date(message.at), undefined, shared);
}

// Two minutes apart: a few messages an hour per number, far less than a number carries.
const SLOW = 120_000;

const numbers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `+1${prefix}${String(1000 + i).padStart(7, '0')}`);

describe('decideSnowshoe (MP.EVASION.SNOWSHOE)', () => {
  it("passes a clinic's reminders from a five-number messaging service with sticky sender to thousands of patients", () => {
    const view = store();
    const tenant = tenantWith('brightside', numbers('415555', 5));
    const decisions = Array.from({ length: 3000 }, (_, i) => decide(view, tenant, { ms: MS, to: `+1212${String(3_000_000 + i)}`, at: t0 + i * 28_000 }));
    assert.deepEqual([...new Set(decisions.map((d) => d.verdict.decision))], ['pass']);
    assert.equal(decisions.at(-1)!.distinctSenders, 5);
    assert.deepEqual(decisions.at(-1)!.verdict.clauses, ['MP.EVASION.SNOWSHOE']);
  });

  it('counts a messaging-service message as the pool number sticky sender would pick for the recipient', () => {
    const tenant = tenantWith('brightside', numbers('415555', 5));
    const envelope = (to: string) => anEnvelope({ message: { from: undefined, messagingServiceSid: MS, to } });
    assert.equal(senderOf(envelope('+12125550001'), tenant), senderOf(envelope('+12125550001'), tenant));
    const used = new Set(Array.from({ length: 200 }, (_, i) => senderOf(envelope(`+1212555${String(1000 + i)}`), tenant)));
    assert.deepEqual([...used].sort(), numbers('415555', 5).sort());
    assert.equal(senderOf(envelope('+12125550001'), undefined), MS, 'without a known pool the service itself is the sender');
  });

  it('holds a cluster spread over many registered numbers, holds its further messages, and alerts once with the evidence', () => {
    const view = store();
    const pool = numbers('404555', 40);
    const tenant = tenantWith('promo', pool);
    const decisions = pool.map((from, i) => decide(view, tenant, { from, at: t0 + i * SLOW }));
    const firstHold = decisions.findIndex((d) => d.verdict.decision === 'hold');
    // Ten numbers are an ordinary pool; past twelve at a few messages an hour each, it is spread.
    assert.ok(firstHold >= 10 && firstHold < 15, `held at message ${firstHold + 1}`);
    assert.ok(decisions.slice(0, firstHold).every((d) => d.verdict.decision === 'pass'));
    assert.ok(
      decisions.slice(firstHold).every((d) => d.verdict.decision === 'hold'),
      'every further message is held',
    );
    assert.equal(decisions.filter((d) => d.alert).length, 1, 'one alert, when the cluster crossed');

    const { verdict, alert } = decisions[firstHold]!;
    assert.ok(verdict.clauses.includes('MP.EVASION.SNOWSHOE'));
    assert.equal(verdict.facts['cluster'], tenantClusterId('promo', 'offers', CLUSTER), "the tenant's own cluster of the content");
    assert.equal(verdict.facts['contentCluster'], CLUSTER);
    assert.ok(Number(verdict.facts['excessSenders']) >= 3, 'more numbers than the volume needs');
    assert.equal(typeof verdict.facts['window'], 'string');
    assert.equal(verdict.facts['distinctSenders'], firstHold + 1);
    assert.ok(Array.isArray(verdict.facts['samples']) && verdict.facts['samples'].length > 0);
    assert.equal(alert?.clusterId, tenantClusterId('promo', 'offers', CLUSTER));
    assert.equal(alert?.decision, 'hold');
    assert.match(decisions.at(-1)!.verdict.reason, /cluster already stopped/);
  });

  it('blocks the same content from unregistered numbers, then the whole cluster', () => {
    const view = store();
    const tenant = tenantWith('acme-dental', numbers('415555', 2));
    const first = decide(view, tenant, { from: '+16505550001', at: t0 });
    assert.equal(first.verdict.decision, 'block');
    assert.match(first.verdict.reason, /not in the tenant's registered sender pool/);
    assert.equal(first.verdict.facts['cluster'], tenantClusterId('acme-dental', 'offers', CLUSTER), 'a sender-pool block carries the cluster too');
    const second = decide(view, tenant, { from: '+16505550002', at: t0 + 1000 });
    assert.equal(second.alert?.rule, 'unregistered-numbers', 'the second unregistered number blocks the cluster and raises the alert');
    const registered = decide(view, tenant, { from: numbers('415555', 2)[0]!, at: t0 + 2000 });
    assert.equal(registered.verdict.decision, 'block');
    assert.equal(registered.verdict.facts['rule'], 'unregistered-numbers');
    assert.ok(registered.verdict.clauses.includes('MP.EVASION.SNOWSHOE'));
  });

  it('holds content with the same link domain sent in volume by a second tenant and blocks it from a third (MP.ISV)', () => {
    const view = store();
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c'].map((id, k) => tenantWith(id, numbers(`30${k}555`, 2)));
    let at = t0;
    const send = (k: number, i: number) => decide(view, tenants[k], { from: tenants[k]!.senders[i % 2]!.number, at: (at += 1000), markers: ['d:smile-deals.example'] });
    const a = Array.from({ length: 18 }, (_, i) => send(0, i));
    assert.ok(
      a.every((d) => d.verdict.decision === 'pass'),
      'one tenant, two numbers: fine',
    );
    assert.equal(send(1, 0).verdict.decision, 'pass', 'a second tenant with a handful of the same message is not yet a pattern');
    const b = send(1, 1);
    assert.equal(b.verdict.decision, 'hold', 'twenty messages from two tenants');
    assert.ok(b.verdict.clauses.includes('MP.ISV'));
    assert.match(b.verdict.reason, /2 tenants share links to smile-deals\.example/);
    const c = send(2, 0);
    assert.equal(c.verdict.decision, 'block');
    assert.equal(c.verdict.facts['tenants'], 3);
    assert.equal(c.verdict.facts['marker'], 'd:smile-deals.example');
  });

  it('passes the same content from many tenants when they share no actor marker (a platform template under their own brands)', () => {
    const view = store();
    const tenants = Array.from({ length: 20 }, (_, k) => tenantWith(`clinic-${k}`, numbers(`5${String(k).padStart(2, '0')}555`, 3)));
    const decisions = tenants.flatMap((t, k) =>
      Array.from({ length: 30 }, (_, i) => decide(view, t, { from: t.senders[i % 3]!.number, at: t0 + i * 2_000 + k, markers: [`p:+1${500 + k}5550100`, `t:${String(k).padStart(16, '0')}`] })),
    );
    assert.deepEqual([...new Set(decisions.map((d) => d.verdict.decision))], ['pass']);
    assert.equal(new Set(decisions.map((d) => d.clusterId)).size, 20, 'one cluster per clinic');
  });

  it("applies the tenant's and then the campaign's thresholds", () => {
    const tenant = tenantWith('chain', numbers('702555', 30), {
      settings: { snowshoe: { 'wide-pool': 'off', 'spread-hour': { distinctSenders: 40 }, 'spread-day': { distinctSenders: 40 } } },
      campaigns: [
        { id: 'offers', brand: 'Acme Dental', useCase: 'marketing' },
        { id: 'reminders', brand: 'Acme Dental', useCase: 'informational', snowshoe: { 'spread-hour': { distinctSenders: 10 } } },
      ],
    });
    const names = (campaign: string) => effectiveRules(data.rules, tenant, campaign).map((r) => r.name);
    assert.ok(!names('offers').includes('wide-pool'));
    assert.equal(effectiveRules(data.rules, tenant, 'reminders').find((r) => r.name === 'spread-hour')?.min.distinctSenders, 10);
    assert.equal(effectiveRules(data.rules, undefined, 'offers'), data.rules, 'no overrides: the defaults as they are');

    const view = store();
    const offers = numbers('702555', 30).map((from, i) => decide(view, tenant, { from, at: t0 + i * SLOW }, 'aaaaaaaaaaaaaaaa'));
    assert.ok(
      offers.every((d) => d.verdict.decision === 'pass'),
      'thirty numbers are fine for this tenant',
    );
    const reminders = numbers('702555', 14).map((from, i) => decide(view, tenant, { from, at: t0 + i * SLOW, campaign: 'reminders' }, 'bbbbbbbbbbbbbbbb'));
    assert.equal(reminders.at(-1)!.verdict.decision, 'hold', 'but not for the campaign that lowered its own limit');
  });

  it("holds content sent from the tenant's numbers outside the campaign's own pool", () => {
    const pool = numbers('415555', 4);
    const tenant = tenantWith('acme-dental', pool, {
      campaigns: [{ id: 'offers', brand: 'Acme Dental', useCase: 'marketing', senders: [pool[0]!, pool[1]!] }],
    });
    const view = store();
    const inside = decide(view, tenant, { from: pool[0]!, at: t0 });
    const outside1 = decide(view, tenant, { from: pool[2]!, at: t0 + 1000 });
    const outside2 = decide(view, tenant, { from: pool[3]!, at: t0 + 2000 });
    assert.deepEqual(
      [inside, outside1].map((d) => d.verdict.decision),
      ['pass', 'pass'],
    );
    assert.equal(outside2.verdict.decision, 'hold');
    assert.equal(outside2.verdict.facts['rule'], 'outside-campaign-pool');
  });

  it("passes the pipeline's own opt-out confirmations without counting them, from a registered number", () => {
    const view = store();
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c'].map((id, k) => tenantWith(id, numbers(`31${k}555`, 2)));
    const confirm = (t: TenantConfigEvent, from: string, at: number) =>
      decideSnowshoe(
        {
          envelope: anEnvelope({ tenantId: t.tenantId, kind: 'opt_out_confirmation', acceptedAt: new Date(at).toISOString(), message: { from } }),
          clusterId: CLUSTER,
          template: CLUSTER,
          match: 'new',
        },
        t,
        view,
        data,
        'tenants',
        new Date(at),
      );
    const decisions = tenants.flatMap((t, k) => t.senders.map((s, i) => confirm(t, s.number, t0 + k * 10 + i)));
    assert.deepEqual([...new Set(decisions.map((d) => d.verdict.decision))], ['pass']);
    assert.equal(view.cluster(tenantClusterId('tenant-a', 'offers', CLUSTER)), undefined, 'not counted into a cluster');
    assert.equal(confirm(tenants[0]!, '+16505550001', t0 + 100).verdict.decision, 'block', 'but only from the pool');
  });

  it('passes a message a reviewer released after a hold, without holding it again', () => {
    const view = store();
    const pool = numbers('404777', 16);
    const tenant = tenantWith('promo', pool);
    pool.forEach((from, i) => decide(view, tenant, { from, at: t0 + i * SLOW }));
    const cluster = tenantClusterId('promo', 'offers', CLUSTER);
    assert.ok(view.cluster(cluster)?.stop, 'the cluster is held');
    const after = t0 + 16 * SLOW;
    const held = anEnvelope({ tenantId: tenant.tenantId, acceptedAt: new Date(after).toISOString(), message: { from: pool[0] } });
    const released = {
      ...held,
      verdicts: [{ stage: 'review' as const, decision: 'pass' as const, clauses: ['MP.EVASION.SNOWSHOE' as const], reason: 'released', facts: {}, at: new Date(after + 10_000).toISOString() }],
    };
    const seq = view.cluster(cluster)!.seq;
    const d = decideSnowshoe({ envelope: released, clusterId: CLUSTER, template: CLUSTER, match: 'template' }, tenant, view, data, 'tenants', new Date(after + 20_000));
    assert.equal(d.verdict.decision, 'pass');
    assert.equal(view.cluster(cluster)!.seq, seq, 'not counted again');
  });
});
