import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsentCapture } from '@sms/contracts';
import { aTenant } from '@sms/testing';
import { checkCapture } from './check-capture.js';

const now = new Date('2026-11-27T15:00:00Z');
const capture: ConsentCapture = {
  to: '+14155552671',
  brand: 'Acme Dental',
  campaign: 'offers',
  basis: 'express',
  source: 'web_form',
  capturedAt: '2026-11-27T14:00:00Z',
  wording: 'Yes, send me offers from Acme Dental by text. Msg & data rates may apply. Reply STOP to opt out.',
  evidence: { formId: 'signup-2026', ip: '203.0.113.7' },
};

describe('checkCapture', () => {
  it('accepts a web-form consent and normalises the number', () => {
    assert.deepEqual(checkCapture(capture, aTenant(), now), { ok: true, recipient: '+14155552671' });
  });

  for (const source of ['purchased_list', 'rented_list', 'shared_list'] as const) {
    it(`refuses a ${source} with MP.CONSENT.NOT_PURCHASED`, () => {
      const result = checkCapture({ ...capture, source }, aTenant(), now);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.clause, 'MP.CONSENT.NOT_PURCHASED');
      assert.equal(result.problems[0]!.path, 'source');
    });
  }

  it("refuses a brand or campaign that is not the tenant's (MP.CONSENT.SCOPE)", () => {
    const result = checkCapture({ ...capture, brand: 'Other Brand' }, aTenant(), now);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.clause, 'MP.CONSENT.SCOPE');
    assert.deepEqual(
      result.problems.map((p) => p.path),
      ['brand', 'campaign'],
    );
  });

  it('refuses a consent captured in the future and a national number', () => {
    const result = checkCapture({ ...capture, to: '4155552671', capturedAt: '2026-11-28T15:00:00Z' }, aTenant(), now);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.problems.map((p) => p.path),
      ['to', 'capturedAt'],
    );
  });
});
