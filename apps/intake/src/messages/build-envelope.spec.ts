import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageEnvelopeSchema, type SendRequest } from '@sms/contracts';
import { aTenant } from '@sms/testing';
import { buildEnvelope } from './build-envelope.js';

const tenant = aTenant({
  brands: [{ name: 'Acme Dental' }, { name: 'Acme Ortho' }],
  campaigns: [
    { id: 'reminders', brand: 'Acme Dental', useCase: 'informational' },
    { id: 'offers', brand: 'Acme Dental', useCase: 'marketing' },
  ],
});

const request: SendRequest = {
  to: '+1 (415) 555-2671',
  from: '+14155550101',
  brand: 'Acme Dental',
  campaign: 'reminders',
  useCase: 'informational',
  body: 'Acme Dental: your appointment is tomorrow at 9:00. Reply STOP to opt out.',
};

const build = (overrides: Partial<SendRequest> = {}, base: SendRequest = request) =>
  buildEnvelope({
    id: '8d3c1c2e-5b7a-4f7e-9a39-2f4f3b0f9d11',
    tenant,
    request: { ...base, ...overrides },
    channel: 'http',
    idempotencyKey: 'k-1',
    now: new Date('2026-11-27T10:00:00Z'),
  });

describe('buildEnvelope', () => {
  it('normalises the recipient to E.164, finds its country and produces a valid envelope', () => {
    const result = build();
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.envelope.message.to, '+14155552671');
    assert.equal(result.envelope.recipient.country, 'US');
    assert.equal(result.envelope.idempotencyKey, 'k-1');
    assert.deepEqual(result.envelope.verdicts, []);
    assert.equal(MessageEnvelopeSchema.safeParse(result.envelope).success, true);
  });

  it('finds Canada and Great Britain from the number', () => {
    const ca = build({ to: '+16135550123' });
    const gb = build({ to: '+447400123456' });
    assert.equal(ca.ok && ca.envelope.recipient.country, 'CA');
    assert.equal(gb.ok && gb.envelope.recipient.country, 'GB');
  });

  it("finds the recipient's state and time zone from the area code, for state rules and quiet hours", () => {
    const florida = build({ to: '+1 305 555 0123' });
    assert.deepEqual(florida.ok && florida.envelope.recipient, { country: 'US', region: 'FL', timeZone: 'America/New_York' });
    const ontario = build({ to: '+14165550123' });
    assert.deepEqual(ontario.ok && ontario.envelope.recipient, { country: 'CA', region: 'ON', timeZone: 'America/Toronto' });
  });

  it('leaves the time zone out when the area code spans two, and the region out outside the US and Canada', () => {
    const southDakota = build({ to: '+16055550123' });
    assert.deepEqual(southDakota.ok && southDakota.envelope.recipient, { country: 'US', region: 'SD' });
    const london = build({ to: '+442071234567' });
    assert.deepEqual(london.ok && london.envelope.recipient, { country: 'GB', timeZone: 'Europe/London' });
    assert.equal(london.ok && MessageEnvelopeSchema.safeParse(london.envelope).success, true);
  });

  it('refuses a national number instead of guessing its country', () => {
    const result = build({ to: '4155552671' });
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.path), ['to']);
  });

  it('refuses an impossible number and says where', () => {
    const result = build({ to: '+1555' });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.errors[0]!.message, /not a valid number|not a phone number/);
  });

  it('refuses an unregistered brand, a campaign of another brand and a mismatched use case, all at once', () => {
    const result = build({ brand: 'Acme Ortho', useCase: 'marketing' });
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    assert.deepEqual(paths, ['campaign', 'useCase']);
    const unknown = build({ brand: 'Someone Else' });
    assert.deepEqual(unknown.ok ? [] : unknown.errors.map((e) => e.path), ['brand', 'campaign']);
  });

  it("refuses a sender number or messaging service that is not the tenant's, naming the field", () => {
    const typo = build({ from: '+14155559999' });
    assert.deepEqual(typo.ok ? [] : typo.errors.map((e) => e.path), ['from']);
    assert.match(typo.ok ? '' : typo.errors[0]!.message, /\+14155559999 is not one of this tenant's registered sender numbers/);
    const { from: _from, ...viaService } = request;
    const foreign = build({ messagingServiceSid: 'MG99999999999999999999999999999999' }, viaService);
    assert.deepEqual(foreign.ok ? [] : foreign.errors.map((e) => e.path), ['messagingServiceSid']);
    const own = build({ messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' }, viaService);
    assert.equal(own.ok, true);
  });

  it("refuses one of the tenant's own numbers as the recipient (a number cannot text itself), naming body.to", () => {
    const self = build({ to: '+14155550102' });
    assert.deepEqual(self.ok ? [] : self.errors.map((e) => e.path), ['to']);
    assert.match(self.ok ? '' : self.errors[0]!.message, /one of this tenant's own sender numbers/);
  });

  it('refuses a schedule more than 35 days ahead', () => {
    const result = build({ sendAt: '2027-02-01T10:00:00Z' });
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.path), ['sendAt']);
  });
});
