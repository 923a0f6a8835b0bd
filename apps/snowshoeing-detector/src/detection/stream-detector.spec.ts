import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TenantConfigEvent } from '@sms/contracts';
import { aTenant } from '@sms/testing';
import { loadSnowshoeRules, loadTextNormalisation } from '../rules/rule-data.js';
import { StreamDetector, type StreamMessage } from './stream-detector.js';

const rules = loadSnowshoeRules();
const text = loadTextNormalisation();
const t0 = Date.parse('2026-11-27T08:00:00Z');
let serial = 0;
const msg = (body: string, at: number, from = '+14155550101', tenant = 'acme'): StreamMessage => ({
  id: `m${++serial}`,
  tenant,
  campaign: 'offers',
  from,
  to: `+1212${String(2_000_000 + serial)}`,
  body,
  at,
});

describe('StreamDetector (in-memory store)', () => {
  it('puts personalised copies in one cluster, spun copies in it as near-duplicates, and other content elsewhere', () => {
    const d = new StreamDetector(rules, text);
    const a = d.process(msg('Hi Sarah, claim your free teeth whitening kit worth $90 today. Limited stock, tap https://deals.example/a1 to redeem it.', t0));
    const b = d.process(msg('Hi Omar, claim your free teeth whitening kit worth $45 today. Limited stock, tap https://deals.example/zz9 to redeem it.', t0 + 1000));
    const c = d.process(msg('Hey Li, claim your complimentary teeth whitening kit worth $75 now. Limited stock, tap https://deals.example/q to redeem it.', t0 + 2000));
    const other = d.process(msg('Oakwood Family Clinic reminder: please arrive ten minutes early for your appointment with the nurse.', t0 + 3000));
    assert.equal(b.clusterId, a.clusterId);
    assert.equal(b.verdict.facts['match'], 'template');
    assert.equal(c.clusterId, a.clusterId);
    assert.equal(c.verdict.facts['match'], 'near_duplicate');
    assert.ok(Number(c.verdict.facts['similarity']) >= rules.similarity.containment);
    assert.notEqual(other.clusterId, a.clusterId);
  });

  it("passes the platform's reminder template from 20 clinics under their own brands at 8:00, and stops an actor who copies it with one link over three accounts", () => {
    const tenants = new Map<string, TenantConfigEvent>();
    const clinic = (id: string, brand: string, numbers: string[]) =>
      tenants.set(id, aTenant({ tenantId: id, brands: [{ name: brand }], senders: numbers.map((number) => ({ number, type: 'long_code', brand })), messagingServices: [] }));
    const reminder = (brand: string, name: string, day: number, callBack: string) =>
      `${brand}: Hi ${name}, this is a reminder of your appointment on Dec ${day} at ${8 + (day % 9)}:30. Reply C to confirm or ${callBack} to reschedule. Reply STOP to opt out.`;
    const stream: StreamMessage[] = [];
    for (let k = 0; k < 20; k++) {
      const numbers = Array.from({ length: 1 + (k % 5) }, (_, i) => `+1${300 + k}555${String(1000 + i)}`);
      clinic(`clinic-${k}`, `Clinic ${k} Dental`, numbers);
      for (let i = 0; i < 40; i++)
        stream.push({
          ...msg(reminder(`Clinic ${k} Dental`, ['Ana', 'Ben', 'Cho'][i % 3]!, 1 + (i % 28), `call (${300 + k}) 555-0100`), t0 + i * 15_000 + k * 7, numbers[i % numbers.length], `clinic-${k}`),
          brand: `Clinic ${k} Dental`,
        });
    }
    for (let a = 0; a < 3; a++) {
      const numbers = Array.from({ length: 3 }, (_, i) => `+1404777${String(1000 + a * 10 + i)}`);
      clinic(`actor-${a}`, `Smile Care ${a}`, numbers);
      for (let i = 0; i < 20; i++)
        stream.push({
          ...msg(reminder(`Smile Care ${a}`, 'Dee', 1 + i, `visit https://appt-confirm.example/${a}${i}`), t0 + 60_000 + i * 20_000 + a, numbers[i % 3], `actor-${a}`),
          brand: `Smile Care ${a}`,
        });
    }
    stream.sort((x, y) => (x.at as number) - (y.at as number));
    const d = new StreamDetector(rules, text, tenants);
    const decided = stream.map((m) => ({ m, d: d.process(m) }));
    const clinics = decided.filter((x) => x.m.tenant.startsWith('clinic-'));
    assert.deepEqual(
      clinics
        .filter((x) => x.d.verdict.decision !== 'pass')
        .map((x) => x.d.verdict.reason)
        .slice(0, 3),
      [],
      'every clinic reminder goes',
    );
    const actor = decided.filter((x) => x.m.tenant.startsWith('actor-'));
    const stopped = actor.filter((x) => x.d.verdict.decision !== 'pass');
    assert.ok(stopped.length >= 40, `${stopped.length} of 60 copies stopped`);
    assert.equal(actor.at(-1)!.d.verdict.decision, 'block');
    assert.ok(actor.at(-1)!.d.verdict.clauses.includes('MP.ISV'));
    assert.equal(actor.at(-1)!.d.verdict.facts['marker'], 'd:appt-confirm.example');
  });

  it('keeps memory bounded by the window: what left it is forgotten', () => {
    const d = new StreamDetector(rules, text);
    for (let i = 0; i < 2000; i++)
      d.process(
        msg(
          `Acme Dental: one-off note number ${'abcdefghij'[i % 10]} for ${'klmnopqrst'[Math.floor(i / 10) % 10]} about ${'uvwxyzabcd'[Math.floor(i / 100) % 10]} visit planning and scheduling details`,
          t0 + i * 1000,
        ),
      );
    const busy = d.store.sizes();
    d.process(msg('Acme Dental: a message a day and a half later', t0 + 36 * 3_600_000));
    const quiet = d.store.sizes();
    assert.ok(busy['templates']! >= 100, `templates while busy: ${busy['templates']}`);
    assert.ok(quiet['templates']! <= 1 && quiet['clusters']! <= 2 && quiet['bands']! <= rules.similarity.bands, JSON.stringify(quiet));
  });

  it('decides the same stream the same way every time', () => {
    const stream = Array.from({ length: 300 }, (_, i) =>
      msg(`Grab your bonus gift card number ${i} now at prize.example, ${['fast', 'quick', 'easy'][i % 3]} claim for members`, t0 + i * 5000, `+1404555${String(1000 + (i % 30))}`),
    );
    const run = () => {
      const d = new StreamDetector(rules, text);
      return stream.map((m) => d.process(m)).map((x) => `${x.verdict.decision}|${x.clusterId}|${x.distinctSenders}`);
    };
    const first = run();
    assert.deepEqual(run(), first);
    assert.ok(
      first.some((x) => x.startsWith('hold')),
      'thirty rotating numbers are held',
    );
  });
});
