import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRuleData } from './rule-data.js';
import { checkQuietHours, effectiveRule, type QuietHoursSubject } from './quiet-hours.js';

const { quietHours } = loadRuleData();
const marketing = (overrides: Partial<QuietHoursSubject> = {}): QuietHoursSubject => ({
  useCase: 'marketing',
  kind: 'standard',
  country: 'US',
  region: 'NY',
  timeZones: ['America/New_York'],
  ...overrides,
});
const check = (subject: QuietHoursSubject, iso: string) => checkQuietHours(quietHours, subject, new Date(iso));
const until = (subject: QuietHoursSubject, iso: string): string => {
  const verdict = check(subject, iso);
  assert.equal(verdict.kind, 'closed', JSON.stringify(verdict));
  return verdict.kind === 'closed' ? verdict.until.toISOString() : '';
};

// 2026-11-25 is a Wednesday; New York is UTC-5 in November, UTC-4 in July.
describe('quiet hours: the federal window, 8:00 to 21:00 local time (47 CFR 64.1200(c)(1))', () => {
  it('is open at noon and closed before 8:00 and from 21:00 in New York', () => {
    assert.equal(check(marketing(), '2026-11-25T17:00:00Z').kind, 'open');
    assert.equal(check(marketing(), '2026-11-25T13:00:00Z').kind, 'open', '8:00 sharp is allowed');
    assert.equal(until(marketing(), '2026-11-25T12:59:00Z'), '2026-11-25T13:00:00.000Z');
    assert.equal(until(marketing(), '2026-11-26T02:00:00Z'), '2026-11-26T13:00:00.000Z', '21:00 is closed, next 8:00');
    assert.equal(check(marketing(), '2026-11-26T01:59:00Z').kind, 'open', '20:59 is allowed');
  });

  it('follows daylight saving time', () => {
    assert.equal(until(marketing(), '2026-07-15T11:30:00Z'), '2026-07-15T12:00:00.000Z', '8:00 EDT is 12:00 UTC');
  });

  it('says why, citing MP.COUNTRY and the sources', () => {
    const verdict = check(marketing(), '2026-11-26T03:00:00Z');
    assert.equal(verdict.kind, 'closed');
    if (verdict.kind !== 'closed') return;
    assert.deepEqual(verdict.clauses, ['MP.COUNTRY']);
    assert.deepEqual(verdict.sources, ['tcpa-64-1200']);
    assert.match(verdict.reason, /US: 08:00-21:00 local time, America\/New_York\): deferred to 2026-11-26T13:00:00.000Z/);
  });
});

describe('quiet hours: state windows', () => {
  it('ends Florida, Oklahoma, Maryland, Washington and Mississippi at 20:00', () => {
    for (const [region, zone, evening] of [
      ['FL', 'America/New_York', '2026-11-26T01:30:00Z'],
      ['OK', 'America/Chicago', '2026-11-26T02:30:00Z'],
      ['MD', 'America/New_York', '2026-11-26T01:30:00Z'],
      ['WA', 'America/Los_Angeles', '2026-11-26T04:30:00Z'],
      ['MS', 'America/Chicago', '2026-11-26T02:30:00Z'],
    ] as const) {
      assert.equal(check(marketing({ region, timeZones: [zone] }), evening).kind, 'closed', `${region} at 20:30`);
      assert.equal(check(marketing({ region: 'NY', timeZones: [zone] }), evening).kind, 'open', `the federal window is open at 20:30 (${zone})`);
    }
  });

  it('opens Connecticut at 9:00 and closes it at 20:00', () => {
    const ct = marketing({ region: 'CT' });
    assert.equal(until(ct, '2026-11-25T13:30:00Z'), '2026-11-25T14:00:00.000Z');
    assert.equal(check(ct, '2026-11-26T00:59:00Z').kind, 'open');
    assert.equal(check(ct, '2026-11-26T01:00:00Z').kind, 'closed');
  });

  it('opens Texas at 9:00, and on Sunday at noon', () => {
    const tx = marketing({ region: 'TX', timeZones: ['America/Chicago'] });
    assert.equal(until(tx, '2026-11-28T14:30:00Z'), '2026-11-28T15:00:00.000Z', 'Saturday 8:30 waits for 9:00');
    // Sunday 2026-11-29 10:00 CST waits for 12:00 CST = 18:00 UTC.
    assert.equal(until(tx, '2026-11-29T16:00:00Z'), '2026-11-29T18:00:00.000Z');
    assert.equal(check(tx, '2026-11-29T18:00:00Z').kind, 'open');
    assert.equal(check(tx, '2026-11-30T02:59:00Z').kind, 'open', 'Sunday 20:59');
  });

  it('keeps Mississippi closed on Sunday', () => {
    const ms = marketing({ region: 'MS', timeZones: ['America/Chicago'] });
    assert.equal(until(ms, '2026-11-29T18:00:00Z'), '2026-11-30T14:00:00.000Z', 'Sunday noon waits for Monday 8:00');
    assert.match(effectiveRule(quietHours, 'US', 'MS').description, /sun closed/);
  });
});

describe('quiet hours: countries and unknown places', () => {
  it('uses the country pack for Canada: 9:00 to 21:30 on weekdays, 10:00 to 18:00 at weekends', () => {
    const on = marketing({ country: 'CA', region: 'ON', timeZones: ['America/Toronto'] });
    assert.equal(check(on, '2026-11-26T02:15:00Z').kind, 'open', 'Wednesday 21:15');
    assert.equal(until(on, '2026-11-28T14:30:00Z'), '2026-11-28T15:00:00.000Z', 'Saturday 9:30 waits for 10:00');
    assert.equal(check(on, '2026-11-28T23:30:00Z').kind, 'closed', 'Saturday 18:30');
  });

  it('uses the strictest default for an unknown country and the federal window for any other', () => {
    assert.equal(check(marketing({ country: 'ZZ', region: undefined, timeZones: ['Europe/Paris'] }), '2026-11-25T07:30:00Z').kind, 'closed', '8:30 in Paris is before 9:00');
    assert.equal(check(marketing({ country: 'FR', region: undefined, timeZones: ['Europe/Paris'] }), '2026-11-25T07:30:00Z').kind, 'open');
  });

  it('must hold in every zone a number may be in: 8:00 in Denver and Chicago alike', () => {
    const southDakota = marketing({ region: 'SD', timeZones: ['America/Chicago', 'America/Denver'] });
    // 8:30 in Chicago is 7:30 in Denver: wait for 8:00 in Denver (15:00 UTC).
    assert.equal(until(southDakota, '2026-11-25T14:30:00Z'), '2026-11-25T15:00:00.000Z');
    // 20:30 in Denver is 21:30 in Chicago: closed until 8:00 Denver the next day.
    assert.equal(until(southDakota, '2026-11-26T03:30:00Z'), '2026-11-26T15:00:00.000Z');
  });

  it('holds a message whose local time cannot be known', () => {
    const verdict = check(marketing({ country: 'ZZ', region: undefined, timeZones: [] }), '2026-11-25T17:00:00Z');
    assert.equal(verdict.kind, 'never');
    const apart = check(marketing({ timeZones: ['Atlantic/Reykjavik', 'Asia/Shanghai', 'America/Los_Angeles'] }), '2026-11-25T17:00:00Z');
    assert.equal(apart.kind, 'never', 'no hour is inside 8:00-21:00 in zones eight hours apart around the clock');
  });
});

describe('quiet hours: which messages they apply to', () => {
  const night = '2026-11-26T04:00:00Z';
  it('defers marketing, lets conversational replies and system messages through', () => {
    assert.equal(check(marketing(), night).kind, 'closed');
    assert.equal(check(marketing({ useCase: 'conversational' }), night).kind, 'exempt');
    assert.equal(check(marketing({ kind: 'opt_out_confirmation' }), night).kind, 'exempt');
    assert.equal(check(marketing({ kind: 'help_reply' }), night).kind, 'exempt');
  });

  it('defers informational messages unless the tenant chose to send them', () => {
    assert.equal(check(marketing({ useCase: 'informational' }), night).kind, 'closed');
    assert.equal(check(marketing({ useCase: 'informational', informationalInQuietHours: 'defer' }), night).kind, 'closed');
    const sent = check(marketing({ useCase: 'informational', informationalInQuietHours: 'send' }), night);
    assert.equal(sent.kind, 'exempt');
    assert.equal(check(marketing({ informationalInQuietHours: 'send' }), night).kind, 'closed', 'the setting is for informational messages only');
  });
});
