import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SendRequest } from '@sms/contracts';
import { requestHash } from './message-intake.service.js';

const request: SendRequest = {
  to: '+14155552671',
  from: '+14155550101',
  brand: 'Acme Dental',
  campaign: 'reminders',
  useCase: 'informational',
  body: 'Acme Dental: your appointment is tomorrow at 9:00. Reply STOP to opt out.',
};

describe('requestHash (what a reused idempotency key is compared by)', () => {
  it('is the same for the same request whatever the order of its fields', () => {
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as SendRequest;
    assert.equal(requestHash(reordered), requestHash(request));
  });

  it('differs when any field differs, so a key reused for another message is a conflict', () => {
    const base = requestHash(request);
    for (const change of [{ body: `${request.body} ` }, { to: '+14155552672' }, { campaign: 'offers' }, { sendAt: '2026-12-24T09:00:00Z' }] satisfies Partial<SendRequest>[])
      assert.notEqual(requestHash({ ...request, ...change }), base, JSON.stringify(change));
  });
});
