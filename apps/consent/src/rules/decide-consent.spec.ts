import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope } from '@sms/testing';
import { decideConsent, type ConsentFacts, type ConsentRecordFact } from './decide-consent.js';

const now = new Date('2026-11-27T15:00:00Z');
const HOUR = 3_600_000;

function facts(overrides: Partial<ConsentFacts> = {}): ConsentFacts {
  return { records: [], optStates: [], inbound: [], senderPool: [], conversationWindowMs: 24 * HOUR, now, ...overrides };
}

function record(overrides: Partial<ConsentRecordFact> = {}): ConsentRecordFact {
  return { id: 'rec-1', brand: 'Acme Dental', campaign: 'offers', basis: 'express', wordingVersion: 'v3', capturedAt: '2026-11-01T10:00:00Z', ...overrides };
}

const marketing = anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: 20% off whitening this week. Reply STOP to opt out.' } });
const reminder = anEnvelope({ message: { campaign: 'reminders', useCase: 'informational' } });

describe('decideConsent', () => {
  it('blocks with MP.CONSENT.PRIOR when nothing is on record', () => {
    const { verdict, receipt } = decideConsent(marketing, facts());
    assert.equal(verdict.decision, 'block');
    assert.deepEqual(verdict.clauses, ['MP.CONSENT.PRIOR']);
    assert.equal(receipt, undefined);
  });

  it('passes with express consent for the same brand and campaign and gives a receipt', () => {
    const { verdict, receipt } = decideConsent(marketing, facts({ records: [record()] }));
    assert.equal(verdict.decision, 'pass');
    assert.ok(verdict.clauses.includes('MP.CONSENT.PRIOR'));
    assert.deepEqual(receipt, { basis: 'express', recordId: 'rec-1', wordingVersion: 'v3', decidedAt: now.toISOString() });
  });

  it('never lets consent for one brand or campaign cover another (MP.CONSENT.SCOPE)', () => {
    const otherBrand = decideConsent(marketing, facts({ records: [record({ brand: 'Acme Ortho' })] }));
    assert.equal(otherBrand.verdict.decision, 'block');
    assert.deepEqual(otherBrand.verdict.clauses, ['MP.CONSENT.SCOPE', 'MP.CONSENT.PRIOR']);
    assert.match(otherBrand.verdict.reason, /Acme Ortho \/ offers only/);
    const otherCampaign = decideConsent(marketing, facts({ records: [record({ campaign: 'reminders' })] }));
    assert.equal(otherCampaign.verdict.decision, 'block');
    assert.ok(otherCampaign.verdict.clauses.includes('MP.CONSENT.SCOPE'));
  });

  it('lets a prior relationship cover informational messages but not marketing', () => {
    const relationship = record({ campaign: 'reminders', basis: 'prior_relationship', id: 'rel-1' });
    const informational = decideConsent(reminder, facts({ records: [relationship] }));
    assert.equal(informational.verdict.decision, 'pass');
    assert.deepEqual(informational.verdict.clauses, ['MP.CONSENT.PRIOR_RELATIONSHIP', 'MP.CONSENT.SCOPE']);
    assert.equal(informational.receipt?.basis, 'prior_relationship');
    const promo = anEnvelope({ message: { campaign: 'reminders', useCase: 'marketing' } });
    const blocked = decideConsent(promo, facts({ records: [relationship] }));
    assert.equal(blocked.verdict.decision, 'block');
    assert.ok(blocked.verdict.clauses.includes('MP.CONSENT.PRIOR_RELATIONSHIP'));
  });

  it('prefers express consent over a prior relationship, and the newest record', () => {
    const { receipt } = decideConsent(
      reminder,
      facts({
        records: [
          record({ id: 'rel', campaign: 'reminders', basis: 'prior_relationship', capturedAt: '2026-11-20T00:00:00Z' }),
          record({ id: 'old', campaign: 'reminders', capturedAt: '2026-01-01T00:00:00Z' }),
          record({ id: 'new', campaign: 'reminders', capturedAt: '2026-10-01T00:00:00Z' }),
        ],
      }),
    );
    assert.equal(receipt?.recordId, 'new');
  });

  it('blocks with MP.OPTOUT.HONOR after an opt-out at the brand, the tenant or the sender, whatever the consent', () => {
    for (const scope of ['brand:Acme Dental', 'tenant', 'sender:+14155550101']) {
      const { verdict } = decideConsent(marketing, facts({ records: [record()], optStates: [{ scope, optedOut: true, at: '2026-11-27T14:00:00Z' }] }));
      assert.equal(verdict.decision, 'block', scope);
      assert.deepEqual(verdict.clauses, ['MP.OPTOUT.HONOR']);
    }
  });

  it('ignores an opt-out for another brand or sender, and an opt-out reversed by an opt-in', () => {
    const other = decideConsent(marketing, facts({ records: [record()], optStates: [{ scope: 'brand:Acme Ortho', optedOut: true, at: '2026-11-27T14:00:00Z' }, { scope: 'sender:+14155559999', optedOut: true, at: '2026-11-27T14:00:00Z' }] }));
    assert.equal(other.verdict.decision, 'pass');
    const reversed = decideConsent(marketing, facts({ records: [record()], optStates: [{ scope: 'brand:Acme Dental', optedOut: false, at: '2026-11-27T14:30:00Z' }] }));
    assert.equal(reversed.verdict.decision, 'pass');
  });

  it('applies an opt-out at any number of the messaging service when the message names the service', () => {
    const viaService = anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', from: undefined, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } });
    const { verdict } = decideConsent(
      viaService,
      facts({ records: [record()], senderPool: ['+14155550101', '+14155550102'], optStates: [{ scope: 'sender:+14155550102', optedOut: true, at: '2026-11-27T14:00:00Z' }] }),
    );
    assert.equal(verdict.decision, 'block');
  });

  it('allows a conversational reply inside the window and refuses it after (MP.CONSENT.CONVERSATION)', () => {
    const reply = anEnvelope({ message: { campaign: 'conversations', useCase: 'conversational', body: 'Yes, 3pm works.' } });
    const inbound = [{ twilioSid: 'SM1', sender: '+14155550101', at: new Date(now.getTime() - 2 * HOUR).toISOString() }];
    const inside = decideConsent(reply, facts({ inbound }));
    assert.equal(inside.verdict.decision, 'pass');
    assert.deepEqual(inside.verdict.clauses, ['MP.CONSENT.CONVERSATION']);
    assert.equal(inside.receipt?.recordId, 'inbound:SM1');
    const after = decideConsent(reply, facts({ inbound, conversationWindowMs: HOUR }));
    assert.equal(after.verdict.decision, 'block');
    assert.match(after.verdict.reason, /older than the 1h conversation window/);
    const otherNumber = decideConsent(reply, facts({ inbound: [{ ...inbound[0]!, sender: '+14155550999' }] }));
    assert.equal(otherNumber.verdict.decision, 'block');
  });
});
