import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope } from '@sms/testing';
import type { QuietHoursVerdict } from './quiet-hours.js';
import { initialSchedule } from './send-window.js';

const NOW = Date.parse('2026-11-25T17:00:00Z');
const open = (): QuietHoursVerdict => ({ kind: 'open', rule: 'US' });
const identity = (ms: number): number => ms;

describe('initialSchedule', () => {
  it('sends a message at once when it is not scheduled and quiet hours are open', () => {
    assert.deepEqual(initialSchedule(anEnvelope(), NOW, open, identity), { kind: 'now', dueAtMs: NOW });
  });

  it('waits for sendAt, saying that consent is checked again then', () => {
    const sendAt = '2026-11-26T15:00:00.000Z';
    const result = initialSchedule(anEnvelope({ message: { sendAt } }), NOW, open, identity);
    assert.equal(result.kind, 'deferred');
    assert.equal(result.kind === 'deferred' && result.dueAtMs, Date.parse(sendAt));
    assert.match(result.kind === 'deferred' ? result.reason : '', /scheduled by the sender for 2026-11-26T15:00:00.000Z; consent and opt-outs are checked again then/);
  });

  it('treats a sendAt in the past as now', () => {
    assert.equal(initialSchedule(anEnvelope({ message: { sendAt: '2026-11-20T10:00:00Z' } }), NOW, open, identity).kind, 'now');
  });

  it('checks quiet hours at the scheduled time and moves the message past them, on the real clock', () => {
    const sendAt = '2026-11-26T03:00:00.000Z';
    const asked: number[] = [];
    const closed = (at: number): QuietHoursVerdict => {
      asked.push(at);
      return { kind: 'closed', until: new Date('2026-11-26T13:00:00Z'), reason: 'quiet hours', clauses: ['MP.COUNTRY'], sources: ['tcpa-64-1200'] };
    };
    const result = initialSchedule(anEnvelope({ message: { sendAt } }), NOW, closed, (policy) => policy - 1000);
    assert.deepEqual(asked, [Date.parse(sendAt)]);
    assert.deepEqual(result, {
      kind: 'deferred',
      dueAtMs: Date.parse('2026-11-26T13:00:00Z') - 1000,
      reason: 'scheduled by the sender for 2026-11-26T03:00:00.000Z; quiet hours',
      clauses: ['MP.COUNTRY'],
    });
  });

  it('holds a message quiet hours can never let through', () => {
    const never = (): QuietHoursVerdict => ({ kind: 'never', reason: 'unknown zone', clauses: ['MP.COUNTRY'], sources: [] });
    assert.deepEqual(initialSchedule(anEnvelope(), NOW, never, identity), { kind: 'hold', reason: 'unknown zone', clauses: ['MP.COUNTRY'] });
  });
});
