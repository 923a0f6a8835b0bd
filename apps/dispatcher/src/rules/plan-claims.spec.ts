import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageEnvelope } from '@sms/contracts';
import { anEnvelope, aTenant } from '@sms/testing';
import { loadRuleData } from './rule-data.js';
import { PacingBook } from './pacing.js';
import { planClaims, type ClaimInputs, type DueMessage } from './plan-claims.js';
import type { QuietHoursVerdict } from './quiet-hours.js';
import { senderPlan, senderKeyOf } from './sender-rate.js';

const { senderRates } = loadRuleData();
const NOW = Date.parse('2026-11-25T17:00:00Z');
const longCodes = aTenant();
const open = (): QuietHoursVerdict => ({ kind: 'open', rule: 'US' });

function due(envelope: MessageEnvelope, segments = 1): DueMessage {
  return { messageId: envelope.id, senderKey: senderKeyOf(envelope), segments, envelope };
}

function inputs(messages: DueMessage[], overrides: Partial<ClaimInputs> = {}): ClaimInputs {
  return {
    messages,
    nowMs: NOW,
    horizonMs: 1_000,
    pacing: new PacingBook([]),
    dailyCounts: new Map(),
    queuedAtTwilioMs: new Map(),
    queueWindowMs: 14_400_000,
    plan: (e) => senderPlan(senderRates, e, longCodes),
    quietHours: open,
    toPolicyMs: (ms) => ms,
    toRealMs: (ms) => ms,
    ...overrides,
  };
}

describe('planClaims', () => {
  it('claims what fits the horizon at the sender rate, in order, and says when to look again', () => {
    const messages = [1, 2, 3, 4].map(() => due(anEnvelope()));
    const plan = planClaims(inputs(messages));
    assert.deepEqual(
      plan.claims.map((c) => c.startMs - NOW),
      [0, 1_000],
    );
    assert.deepEqual(
      plan.claims.map((c) => c.messageId),
      messages.slice(0, 2).map((m) => m.messageId),
    );
    assert.equal(plan.notBefore.get('acme-dental|+14155550101'), NOW + 1_000, 'the third may start at +2 s: look again at +1 s');
  });

  it('paces two senders independently', () => {
    const a = due(anEnvelope());
    const b = due(anEnvelope({ message: { from: '+14155550102' } }));
    const plan = planClaims(inputs([a, due(anEnvelope()), b]));
    assert.deepEqual(
      plan.claims.map((c) => [c.messageId, c.startMs - NOW]),
      [
        [a.messageId, 0],
        [plan.claims[1]!.messageId, 1_000],
        [b.messageId, 0],
      ],
    );
  });

  it('counts segments, not messages: a three-segment message holds a 1 segment/s sender for three seconds', () => {
    const plan = planClaims(inputs([due(anEnvelope(), 3), due(anEnvelope())], { horizonMs: 5_000 }));
    assert.deepEqual(
      plan.claims.map((c) => c.startMs - NOW),
      [0, 3_000],
    );
  });

  it('defers a message that would start inside quiet hours, and lets the next one of the sender go', () => {
    const marketing = due(anEnvelope({ message: { useCase: 'marketing' } }));
    const reminder = due(anEnvelope());
    const quietHours = (e: MessageEnvelope): QuietHoursVerdict =>
      e.message.useCase === 'marketing' ? { kind: 'closed', until: new Date(NOW + 3_600_000), reason: 'quiet hours', clauses: ['MP.COUNTRY'], sources: ['x'] } : open();
    const plan = planClaims(inputs([marketing, reminder], { quietHours, toRealMs: (ms) => ms + 5 }));
    assert.deepEqual(
      plan.deferrals.map((d) => [d.messageId, d.dueAtMs - NOW, d.clauses]),
      [[marketing.messageId, 3_600_005, ['MP.COUNTRY']]],
    );
    assert.deepEqual(
      plan.claims.map((c) => [c.messageId, c.startMs - NOW]),
      [[reminder.messageId, 0]],
    );
  });

  it('holds a message quiet hours can never let through', () => {
    const never = (): QuietHoursVerdict => ({ kind: 'never', reason: 'no zone', clauses: ['MP.COUNTRY'], sources: [] });
    const plan = planClaims(inputs([due(anEnvelope())], { quietHours: never }));
    assert.equal(plan.holds.length, 1);
    assert.equal(plan.claims.length, 0);
  });

  it('stops a sender whose queue at Twilio is half its window deep, so that Twilio never refuses with 21611 or fails 30001', () => {
    const deep = planClaims(inputs([due(anEnvelope())], { queuedAtTwilioMs: new Map([['acme-dental|+14155550101', 7_200_001]]) }));
    assert.equal(deep.claims.length, 0);
    assert.equal(deep.notBefore.get('acme-dental|+14155550101'), NOW + 1_000);
    const shallow = planClaims(inputs([due(anEnvelope())], { queuedAtTwilioMs: new Map([['acme-dental|+14155550101', 60_000]]) }));
    assert.equal(shallow.claims.length, 1);
  });

  it("defers a brand's 10DLC messages past T-Mobile's daily cap to the next Pacific day, with one alert", () => {
    const tenant = aTenant({ brands: [{ name: 'Acme Dental', tmobileDailyCap: 3 }], senders: [{ number: '+14155550101', type: '10dlc', brand: 'Acme Dental', trustScore: 80 }] });
    const messages = [1, 1, 1].map(() => due(anEnvelope(), 1)).concat([due(anEnvelope(), 1)]);
    const day = 'tmobile:acme-dental|Acme Dental@2026-11-25';
    const plan = planClaims(inputs(messages, { plan: (e) => senderPlan(senderRates, e, tenant), dailyCounts: new Map([[day, { segments: 1, alerted: false }]]) }));
    assert.equal(plan.claims.length, 2, 'one segment was already used today');
    assert.equal(plan.deferrals.length, 2);
    // Midnight in Los Angeles after 2026-11-25 09:00 PST is 2026-11-26T08:00Z.
    assert.deepEqual(
      plan.deferrals.map((d) => new Date(d.dueAtMs).toISOString()),
      ['2026-11-26T08:00:00.000Z', '2026-11-26T08:00:00.000Z'],
    );
    assert.deepEqual(plan.deferrals[0]!.clauses, ['AUP.SERVICE_LIMITS']);
    assert.deepEqual(plan.dailyCounts.get(day), { segments: 3, alerted: true });
    assert.deepEqual(
      plan.alerts.map((a) => [a.kind, a.alertId]),
      [['daily_cap_reached', `daily_cap_reached:${day}`]],
    );
  });
});
