import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsTowardSuspension, suspensionsDue, windowStarts } from './enforcement.js';
import { loadRuleData } from './rule-data.js';

const rules = loadRuleData().enforcement;

describe('suspensionsDue (MP.ISV, MP.ENFORCEMENT)', () => {
  it('suspends a campaign past its serious threshold and nothing below it', () => {
    const due = suspensionsDue(
      {
        tenantId: 't1',
        campaigns: [
          { campaign: 'offers', all: 6, serious: rules.campaign.serious },
          { campaign: 'reminders', all: 3, serious: 0 },
        ],
      },
      rules,
      new Set(),
    );
    assert.deepEqual(
      due.map((s) => s.campaign),
      ['offers'],
    );
    assert.match(due[0]!.reason, /campaign offers: 5 serious/);
  });

  it('suspends the whole tenant past the tenant threshold, once', () => {
    const counts = {
      tenantId: 't1',
      campaigns: [
        { campaign: 'a', all: 15, serious: 10 },
        { campaign: 'b', all: 15, serious: 10 },
      ],
    };
    assert.deepEqual(
      suspensionsDue(counts, rules, new Set()).map((s) => s.campaign),
      [null],
    );
    assert.deepEqual(suspensionsDue(counts, rules, new Set(['t1|*'])), []);
  });

  it('does not suspend what is suspended already', () => {
    assert.deepEqual(suspensionsDue({ tenantId: 't1', campaigns: [{ campaign: 'offers', all: 200, serious: 0 }] }, rules, new Set(['t1|offers'])), []);
  });
});

describe('windowStarts', () => {
  it("opens a fresh window at each scope's latest lift, and none where the latest event is a suspension", () => {
    const event = (campaign: string | undefined, suspended: boolean, at: string) => ({ tenantId: 't1', ...(campaign ? { campaign } : {}), suspended, reason: 'r', decidedBy: 'ops', at });
    const starts = windowStarts(
      [
        event('offers', false, '2026-12-05T10:00:00.000Z'),
        event('reminders', true, '2026-12-05T11:00:00.000Z'),
        event(undefined, false, '2026-12-05T09:00:00.000Z'),
        { ...event('x', false, '2026-12-05T12:00:00.000Z'), tenantId: 't2' },
      ],
      't1',
    );
    assert.equal(starts.tenant, '2026-12-05T09:00:00.000Z');
    assert.deepEqual([...starts.campaigns], [['offers', '2026-12-05T10:00:00.000Z']]);
  });
});

describe('countsTowardSuspension', () => {
  it('takes the blocks the counts take in, and only those', () => {
    assert.equal(countsTowardSuspension({ decision: 'block', clauses: ['MP.CONSENT.PRIOR'] }, rules), true);
    assert.equal(countsTowardSuspension({ decision: 'block', clauses: ['MP.CONTENT.CANNABIS'] }, rules), true);
    assert.equal(countsTowardSuspension({ decision: 'block', clauses: ['MP.OPTOUT.HONOR'] }, rules), false, 'an opt-out blocking a queued message is not a violation');
    assert.equal(countsTowardSuspension({ decision: 'block', clauses: ['MP.OPTOUT.HONOR', 'MP.CONSENT.PRIOR'] }, rules), true);
    assert.equal(
      countsTowardSuspension({ decision: 'block', clauses: ['MP.OPTOUT.HONOR'] }, { serious: ['MP.OPTOUT.HONOR'], notViolations: ['MP.OPTOUT.HONOR'] }),
      true,
      'a serious clause always counts',
    );
    assert.equal(countsTowardSuspension({ decision: 'hold', clauses: ['MP.CONTENT.CANNABIS'] }, rules), false);
    assert.equal(countsTowardSuspension(undefined, rules), false);
  });
});
