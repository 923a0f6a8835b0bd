import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnforcementRules, suspensionsDue } from './enforcement.js';

const rules = loadEnforcementRules();

describe('suspensionsDue (MP.ISV, MP.ENFORCEMENT)', () => {
  it('suspends a campaign past its serious threshold and nothing below it', () => {
    const due = suspensionsDue({ tenantId: 't1', campaigns: [{ campaign: 'offers', all: 6, serious: rules.campaign.serious }, { campaign: 'reminders', all: 3, serious: 0 }] }, rules, new Set());
    assert.deepEqual(due.map((s) => s.campaign), ['offers']);
    assert.match(due[0]!.reason, /campaign offers: 5 serious/);
  });

  it('suspends the whole tenant past the tenant threshold, once', () => {
    const counts = { tenantId: 't1', campaigns: [{ campaign: 'a', all: 15, serious: 10 }, { campaign: 'b', all: 15, serious: 10 }] };
    assert.deepEqual(suspensionsDue(counts, rules, new Set()).map((s) => s.campaign), [null]);
    assert.deepEqual(suspensionsDue(counts, rules, new Set(['t1|*'])), []);
  });

  it('does not suspend what is suspended already', () => {
    assert.deepEqual(suspensionsDue({ tenantId: 't1', campaigns: [{ campaign: 'offers', all: 200, serious: 0 }] }, rules, new Set(['t1|offers'])), []);
  });
});
