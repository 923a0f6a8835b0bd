import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope, aTenant } from '@sms/testing';
import { loadRuleData } from './rule-data.js';
import { senderOutsidePool, senderPlan } from './sender-rate.js';

const { senderRates } = loadRuleData();
const MG = 'MG0123456789abcdef0123456789abcdef';

describe('senderPlan: a rate per sender from its number type and registration (AUP.SERVICE_LIMITS)', () => {
  it('paces a long code at 1 segment/s, a toll-free number at 3, a short code at 100', () => {
    for (const [type, rate] of [
      ['long_code', 1],
      ['toll_free', 3],
      ['short_code', 100],
    ] as const) {
      const tenant = aTenant({ senders: [{ number: '+14155550101', type }] });
      const plan = senderPlan(senderRates, anEnvelope(), tenant);
      assert.deepEqual(plan.buckets, [{ key: 'sender:acme-dental|+14155550101', segmentsPerSecond: rate }], type);
      assert.equal(plan.senderKey, 'acme-dental|+14155550101');
      assert.equal(plan.dailyCap, undefined);
    }
  });

  it('paces a messaging service at the sum of its pool, as Twilio does', () => {
    const plan = senderPlan(senderRates, anEnvelope({ message: { from: undefined, messagingServiceSid: MG } }), aTenant());
    assert.deepEqual(plan.buckets, [{ key: `sender:acme-dental|${MG}`, segmentsPerSecond: 2 }]);
  });

  it('paces a sender the tenant did not describe as a long code', () => {
    const plan = senderPlan(senderRates, anEnvelope({ message: { from: '+14155550199' } }), aTenant());
    assert.deepEqual(plan.buckets, [{ key: 'sender:acme-dental|+14155550199', segmentsPerSecond: 1 }]);
    assert.match(plan.description, /unknown sender/);
  });

  it('gives 10DLC 12, 120 or 225 segments/s by trust score, split evenly across AT&T, T-Mobile and Verizon', () => {
    for (const [trustScore, share] of [
      [undefined, 4],
      [20, 4],
      [50, 40],
      [74, 40],
      [75, 75],
      [100, 75],
    ] as const) {
      const tenant = aTenant({ senders: [{ number: '+14155550101', type: '10dlc', brand: 'Acme Dental', ...(trustScore !== undefined ? { trustScore } : {}) }] });
      const plan = senderPlan(senderRates, anEnvelope({ recipient: { country: 'US', carrier: 'verizon' } }), tenant);
      assert.deepEqual(plan.buckets, [{ key: '10dlc:acme-dental|Acme Dental|verizon', segmentsPerSecond: share }], `trust score ${trustScore}`);
      assert.equal(plan.dailyCap, undefined, 'a Verizon recipient does not count against the T-Mobile cap');
    }
  });

  it("counts a message whose carrier is unknown against every carrier's share and T-Mobile's daily cap", () => {
    const tenant = aTenant({
      brands: [{ name: 'Acme Dental', tmobileDailyCap: 40_000 }],
      senders: [{ number: '+14155550101', type: '10dlc', brand: 'Acme Dental', trustScore: 60 }],
    });
    const plan = senderPlan(senderRates, anEnvelope(), tenant);
    assert.deepEqual(
      plan.buckets.map((b) => [b.key, b.segmentsPerSecond]),
      [
        ['10dlc:acme-dental|Acme Dental|att', 40],
        ['10dlc:acme-dental|Acme Dental|tmobile', 40],
        ['10dlc:acme-dental|Acme Dental|verizon', 40],
      ],
    );
    assert.deepEqual(plan.dailyCap, { key: 'tmobile:acme-dental|Acme Dental', brand: 'Acme Dental', cap: 40_000, dayTimeZone: 'America/Los_Angeles' });
  });

  it('shares one brand throughput across all its numbers: a second number does not add throughput', () => {
    const tenant = aTenant({
      senders: [
        { number: '+14155550101', type: '10dlc', brand: 'Acme Dental' },
        { number: '+14155550102', type: '10dlc', brand: 'Acme Dental' },
      ],
    });
    const a = senderPlan(senderRates, anEnvelope({ message: { from: '+14155550101' }, recipient: { country: 'US', carrier: 'att' } }), tenant);
    const b = senderPlan(senderRates, anEnvelope({ message: { from: '+14155550102' }, recipient: { country: 'US', carrier: 'att' } }), tenant);
    assert.notEqual(a.senderKey, b.senderKey);
    assert.deepEqual(a.buckets, b.buckets);
  });

  it('uses the registration: Low Volume Mixed 1.25 per carrier, sole proprietor 1 in all with a 1,000 cap', () => {
    const low = senderPlan(
      senderRates,
      anEnvelope({ recipient: { country: 'US', carrier: 'att' } }),
      aTenant({ senders: [{ number: '+14155550101', type: '10dlc', registration: 'low_volume_mixed' }] }),
    );
    assert.deepEqual(low.buckets, [{ key: '10dlc:acme-dental|Acme Dental|att', segmentsPerSecond: 1.25 }]);
    const sole = senderPlan(senderRates, anEnvelope(), aTenant({ senders: [{ number: '+14155550101', type: '10dlc', registration: 'sole_proprietor' }] }));
    assert.deepEqual(sole.buckets, [{ key: '10dlc:acme-dental|Acme Dental', segmentsPerSecond: 1 }]);
    assert.equal(sole.dailyCap?.cap, 1000);
    const unconfigured = senderPlan(senderRates, anEnvelope(), aTenant({ senders: [{ number: '+14155550101', type: '10dlc' }] }));
    assert.equal(unconfigured.dailyCap?.cap, 2000, "T-Mobile's default cap when the brand's is not configured");
  });
});

describe('senderOutsidePool: a From given with a MessagingServiceSid must be a number of that pool (Twilio refuses others, 21711)', () => {
  const OTHER_MG = 'MG' + 'f'.repeat(32);
  const tenant = aTenant({
    senders: [
      { number: '+14155550101', type: 'long_code', brand: 'Acme Dental', messagingServiceSid: MG },
      { number: '+14155550103', type: 'long_code', brand: 'Acme Dental' },
    ],
    messagingServices: [
      { sid: MG, name: 'reminders' },
      { sid: OTHER_MG, name: 'offers' },
    ],
  });
  const pair = (from: string | undefined, messagingServiceSid: string | undefined) => senderOutsidePool(anEnvelope({ message: { from, messagingServiceSid } }), tenant);

  it('lets a number of the pool through with its service, and either one alone', () => {
    assert.equal(pair('+14155550101', MG), null);
    assert.equal(pair('+14155550103', undefined), null);
    assert.equal(pair(undefined, MG), null);
  });

  it("stops a number outside the pool, another service's, an unknown one, and any pair of an unknown tenant", () => {
    assert.match(pair('+14155550103', MG) ?? '', /\+14155550103 is not a number of messaging service MG0123.*21711/);
    assert.notEqual(pair('+14155550101', OTHER_MG), null);
    assert.notEqual(pair('+14155550199', MG), null);
    assert.notEqual(senderOutsidePool(anEnvelope({ message: { from: '+14155550101', messagingServiceSid: MG } }), undefined), null);
  });
});
