import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '@sms/contracts';
import { anEnvelope } from '@sms/testing';
import { releasesDispatcherHold } from './released-hold.js';

const verdict = (stage: Verdict['stage'], decision: Verdict['decision'], facts: Verdict['facts'] = {}): Verdict => ({
  stage,
  decision,
  clauses: ['MP.OPTOUT.HONOR'],
  reason: 'x',
  facts,
  at: '2026-11-27T15:00:00.000Z',
});

describe('releasesDispatcherHold', () => {
  it("is a reviewer's approval of a hold the dispatcher made", () => {
    assert.equal(releasesDispatcherHold(anEnvelope({ verdicts: [verdict('dispatcher', 'hold'), verdict('review', 'pass', { heldBy: 'dispatcher' })] })), true);
  });

  it("is not an approval of another stage's hold, a rejection, or a message cleared by its stages", () => {
    assert.equal(releasesDispatcherHold(anEnvelope({ verdicts: [verdict('content-screening', 'hold'), verdict('review', 'pass', { heldBy: 'content-screening' })] })), false);
    assert.equal(releasesDispatcherHold(anEnvelope({ verdicts: [verdict('dispatcher', 'hold'), verdict('review', 'block', { heldBy: 'dispatcher' })] })), false);
    assert.equal(releasesDispatcherHold(anEnvelope({ verdicts: [verdict('review', 'pass', { heldBy: 'content-screening' }), verdict('snowshoeing-detector', 'pass')] })), false);
  });
});
