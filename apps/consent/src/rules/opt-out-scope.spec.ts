import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aTenant } from '@sms/testing';
import { optScopeFor, scopeForTwilioOptOut } from './opt-out-scope.js';

describe('optScopeFor', () => {
  it('applies to the brand of the number by default', () => {
    assert.equal(optScopeFor(aTenant(), '+14155550101'), 'brand:Acme Dental');
  });
  it('applies to the number only, or to the whole tenant, when the tenant says so', () => {
    assert.equal(optScopeFor(aTenant({ settings: { optOutScope: 'sender' } }), '+14155550101'), 'sender:+14155550101');
    assert.equal(optScopeFor(aTenant({ settings: { optOutScope: 'tenant' } }), '+14155550101'), 'tenant');
  });
  it('falls back to the whole tenant for a number with no brand', () => {
    assert.equal(optScopeFor(aTenant(), '+14155559999'), 'tenant');
  });
});

describe('scopeForTwilioOptOut', () => {
  it("uses the sender's scope when the sender is known, else the brand", () => {
    assert.equal(scopeForTwilioOptOut(aTenant({ settings: { optOutScope: 'sender' } }), '+14155550101', 'Acme Dental'), 'sender:+14155550101');
    assert.equal(scopeForTwilioOptOut(aTenant({ settings: { optOutScope: 'sender' } }), null, 'Acme Dental'), 'brand:Acme Dental');
    assert.equal(scopeForTwilioOptOut(aTenant({ settings: { optOutScope: 'tenant' } }), null, 'Acme Dental'), 'tenant');
  });
});
