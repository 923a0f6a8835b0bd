import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anEnvelope, aTenant } from '@sms/testing';
import { loadConsentPolicy } from './rule-data.js';
import { decideConsent, type ConsentFacts, type ConsentRecordFact, type HistoryFact } from './decide-consent.js';

const now = new Date('2026-11-27T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy = loadConsentPolicy();
const tenant = aTenant();
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

function facts(overrides: Partial<ConsentFacts> = {}): ConsentFacts {
  return {
    records: [],
    optStates: [],
    inbound: [],
    history: { sentBefore: true, recent: [] },
    senderPool: [],
    campaign: undefined,
    settings: tenant.settings,
    policy,
    conversationWindowMs: 24 * HOUR,
    now,
    ...overrides,
  };
}

function record(overrides: Partial<ConsentRecordFact> = {}): ConsentRecordFact {
  return { id: 'rec-1', brand: 'Acme Dental', campaign: 'offers', basis: 'express', wordingVersion: 'v3', capturedAt: ago(10 * DAY), chosenFrequency: null, ...overrides };
}

const sent = (n: number, campaign: string, useCase: 'marketing' | 'informational', withinMs: number): HistoryFact['recent'] =>
  Array.from({ length: n }, (_, i) => ({ campaign, useCase, at: ago(withinMs - i * 1000), optOutLanguage: true }));

const marketing = anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: 20% off whitening this week. Reply STOP to opt out.' } });
const reminder = anEnvelope({ message: { campaign: 'reminders', useCase: 'informational' } });

describe('decideConsent: bases', () => {
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
    assert.deepEqual(receipt, { basis: 'express', recordId: 'rec-1', wordingVersion: 'v3', decidedAt: now.toISOString(), firstMessage: false });
  });

  it('says in the receipt whether this is the first message of the brand to the person', () => {
    const { receipt } = decideConsent(marketing, facts({ records: [record()], history: { sentBefore: false, recent: [] } }));
    assert.equal(receipt?.firstMessage, true);
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
          record({ id: 'rel', campaign: 'reminders', basis: 'prior_relationship', capturedAt: ago(2 * DAY) }),
          record({ id: 'old', campaign: 'reminders', capturedAt: ago(60 * DAY) }),
          record({ id: 'new', campaign: 'reminders', capturedAt: ago(20 * DAY) }),
        ],
      }),
    );
    assert.equal(receipt?.recordId, 'new');
  });

  it('allows a conversational reply inside the window and refuses it after (MP.CONSENT.CONVERSATION)', () => {
    const reply = anEnvelope({ message: { campaign: 'conversations', useCase: 'conversational', body: 'Yes, 3pm works.' } });
    const inbound = [{ twilioSid: 'SM1', sender: '+14155550101', at: ago(2 * HOUR), replyMessageId: null }];
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

describe('decideConsent: opt-outs (MP.OPTOUT.HONOR)', () => {
  it('blocks after an opt-out at the brand, the tenant or the sender, whatever the consent', () => {
    for (const scope of ['brand:Acme Dental', 'tenant', 'sender:+14155550101']) {
      const { verdict } = decideConsent(marketing, facts({ records: [record()], optStates: [{ scope, state: 'opted_out', at: ago(HOUR), replyMessageIds: [] }] }));
      assert.equal(verdict.decision, 'block', scope);
      assert.deepEqual(verdict.clauses, ['MP.OPTOUT.HONOR']);
    }
  });

  it('ignores an opt-out for another brand or sender, and an opt-out ended by an opt-in', () => {
    const other = decideConsent(
      marketing,
      facts({
        records: [record()],
        optStates: [
          { scope: 'brand:Acme Ortho', state: 'opted_out', at: ago(HOUR), replyMessageIds: [] },
          { scope: 'sender:+14155559999', state: 'opted_out', at: ago(HOUR), replyMessageIds: [] },
        ],
      }),
    );
    assert.equal(other.verdict.decision, 'pass');
    const reversed = decideConsent(marketing, facts({ records: [record()], optStates: [{ scope: 'brand:Acme Dental', state: 'opted_in', at: ago(HOUR), replyMessageIds: [] }] }));
    assert.equal(reversed.verdict.decision, 'pass');
  });

  it('applies an opt-out at any number of the messaging service when the message names the service', () => {
    const viaService = anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', from: undefined, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } });
    const { verdict } = decideConsent(
      viaService,
      facts({ records: [record()], senderPool: ['+14155550101', '+14155550102'], optStates: [{ scope: 'sender:+14155550102', state: 'opted_out', at: ago(HOUR), replyMessageIds: [] }] }),
    );
    assert.equal(verdict.decision, 'block');
  });

  it('holds marketing while an unclear reply awaits a decision, but lets reminders through', () => {
    const paused = [{ scope: 'brand:Acme Dental', state: 'paused' as const, at: ago(HOUR), replyMessageIds: [] }];
    const held = decideConsent(marketing, facts({ records: [record()], optStates: paused }));
    assert.equal(held.verdict.decision, 'hold');
    assert.deepEqual(held.verdict.clauses, ['MP.OPTOUT.HONOR']);
    const informational = decideConsent(reminder, facts({ records: [record({ campaign: 'reminders' })], optStates: paused }));
    assert.equal(informational.verdict.decision, 'pass');
  });

  it('lets exactly the confirmation consent decided to send through after an opt-out, and no other system message', () => {
    const confirmation = anEnvelope({ kind: 'opt_out_confirmation', message: { campaign: 'system:opt_out_confirmation' } });
    const optedOut = [{ scope: 'brand:Acme Dental', state: 'opted_out' as const, at: ago(60_000), replyMessageIds: [confirmation.id] }];
    assert.equal(decideConsent(confirmation, facts({ optStates: optedOut })).verdict.decision, 'pass');
    const forged = anEnvelope({ kind: 'opt_out_confirmation', message: { campaign: 'system:opt_out_confirmation' } });
    const refused = decideConsent(forged, facts({ optStates: optedOut }));
    assert.equal(refused.verdict.decision, 'block');
    assert.deepEqual(refused.verdict.clauses, ['MP.OPTOUT.HONOR']);
  });

  it('answers HELP even after an opt-out, but confirms an opt-in only once the opt-out is gone', () => {
    const help = anEnvelope({ kind: 'help_reply' });
    const optIn = anEnvelope({ kind: 'opt_in_confirmation' });
    const inbound = [
      { twilioSid: 'SM-help', sender: '+14155550101', at: ago(60_000), replyMessageId: help.id },
      { twilioSid: 'SM-start', sender: '+14155550101', at: ago(30_000), replyMessageId: optIn.id },
    ];
    const optedOut = [{ scope: 'brand:Acme Dental', state: 'opted_out' as const, at: ago(HOUR), replyMessageIds: [] }];
    assert.equal(decideConsent(help, facts({ inbound, optStates: optedOut })).verdict.decision, 'pass');
    assert.equal(decideConsent(optIn, facts({ inbound, optStates: optedOut })).verdict.decision, 'block');
    const optedIn = [{ scope: 'brand:Acme Dental', state: 'opted_in' as const, at: ago(30_000), replyMessageIds: [] }];
    assert.equal(decideConsent(optIn, facts({ inbound, optStates: optedIn })).verdict.decision, 'pass');
  });
});

describe('decideConsent: reconfirmation (MP.CONSENT.RECONFIRM)', () => {
  const old = record({ capturedAt: ago(120 * DAY) });
  const first = { sentBefore: false, recent: [] };

  it('appends reconfirmation wording to the first message after old consent, by default', () => {
    const { verdict, receipt } = decideConsent(marketing, facts({ records: [old], history: first }));
    assert.equal(verdict.decision, 'transform');
    assert.ok(verdict.clauses.includes('MP.CONSENT.RECONFIRM'));
    assert.match(verdict.transform?.text ?? '', /Acme Dental: you signed up for texts a while ago/);
    assert.equal(receipt?.firstMessage, true);
  });

  it('says "Reply STOP" once: not again when the body carries it, and in the wording when it does not', () => {
    const stops = (body: string, text: string) => `${body}${text}`.match(/reply stop/gi)?.length ?? 0;
    const withStop = decideConsent(marketing, facts({ records: [old], history: first })).verdict;
    assert.equal(stops(marketing.message.body, withStop.transform!.text), 1);
    const bare = anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: 20% off whitening this week.' } });
    const withoutStop = decideConsent(bare, facts({ records: [old], history: first })).verdict;
    assert.equal(stops(bare.message.body, withoutStop.transform!.text), 1);
  });

  it('holds or blocks instead, per tenant setting', () => {
    const hold = decideConsent(marketing, facts({ records: [old], history: first, settings: { ...tenant.settings, reconfirm: 'hold' } }));
    assert.equal(hold.verdict.decision, 'hold');
    const block = decideConsent(marketing, facts({ records: [old], history: first, settings: { ...tenant.settings, reconfirm: 'block' } }));
    assert.equal(block.verdict.decision, 'block');
    assert.deepEqual(block.verdict.clauses, ['MP.CONSENT.RECONFIRM']);
  });

  it('lets a message a compliance reviewer approved after a reconfirmation hold through, and still blocks it after an opt-out', () => {
    const hold = { ...tenant.settings, reconfirm: 'hold' as const };
    const approved = {
      ...marketing,
      verdicts: [
        { stage: 'consent' as const, decision: 'hold' as const, clauses: ['MP.CONSENT.RECONFIRM' as const], reason: 'old consent', facts: {}, at: ago(DAY) },
        { stage: 'review' as const, decision: 'pass' as const, clauses: ['MP.CONSENT.RECONFIRM' as const], reason: 'approved by Casey', facts: {}, at: ago(60_000) },
      ],
    };
    assert.ok(['pass', 'transform'].includes(decideConsent(approved, facts({ records: [old], history: first, settings: hold })).verdict.decision), 'goes on, not held again');
    const optedOut = decideConsent(approved, facts({ records: [old], history: first, settings: hold, optStates: [{ scope: 'tenant', state: 'opted_out', at: ago(1000), replyMessageIds: [] }] }));
    assert.equal(optedOut.verdict.decision, 'block');
    assert.deepEqual(optedOut.verdict.clauses, ['MP.OPTOUT.HONOR']);
  });

  it('does not reconfirm recent consent, nor when messages were sent since, and uses the strictest window for unknown countries', () => {
    assert.equal(decideConsent(marketing, facts({ records: [record({ capturedAt: ago(60 * DAY) })], history: first })).verdict.decision, 'pass');
    assert.equal(decideConsent(marketing, facts({ records: [old] })).verdict.decision, 'pass');
    const unknownCountry = anEnvelope({ ...marketing, recipient: { country: 'ZZ' } });
    assert.equal(decideConsent(unknownCountry, facts({ records: [record({ capturedAt: ago(45 * DAY) })], history: first })).verdict.decision, 'transform');
  });
});

describe('decideConsent: frequency (MP.CONSENT.PERIODIC)', () => {
  it("honours the campaign's caps per day and per week", () => {
    const campaign = { ...tenant.campaigns[1]!, maxPerDay: 2, maxPerWeek: 3 };
    const today = decideConsent(marketing, facts({ records: [record()], campaign, history: { sentBefore: true, recent: sent(2, 'offers', 'marketing', 10 * HOUR) } }));
    assert.equal(today.verdict.decision, 'block');
    assert.deepEqual(today.verdict.clauses, ['MP.CONSENT.PERIODIC']);
    const week = decideConsent(marketing, facts({ records: [record()], campaign, history: { sentBefore: true, recent: sent(3, 'offers', 'marketing', 5 * DAY) } }));
    assert.equal(week.verdict.decision, 'block');
    const otherCampaign = decideConsent(marketing, facts({ records: [record()], campaign, history: { sentBefore: true, recent: sent(5, 'reminders', 'informational', HOUR) } }));
    assert.equal(otherCampaign.verdict.decision, 'pass');
  });

  it('honours the frequency the person chose', () => {
    const chose = record({ chosenFrequency: { max: 1, per: 'week' } });
    assert.equal(decideConsent(marketing, facts({ records: [chose], history: { sentBefore: true, recent: sent(1, 'offers', 'marketing', 3 * DAY) } })).verdict.decision, 'block');
    assert.equal(decideConsent(marketing, facts({ records: [chose], history: { sentBefore: true, recent: sent(1, 'offers', 'marketing', 8 * DAY) } })).verdict.decision, 'pass');
  });

  it('stops a fourth marketing message in 24 hours to a Florida number, citing the state rule', () => {
    const florida = anEnvelope({ ...marketing, recipient: { country: 'US', region: 'FL' } });
    const three = { sentBefore: true, recent: sent(3, 'offers', 'marketing', 20 * HOUR) };
    const { verdict } = decideConsent(florida, facts({ records: [record()], history: three }));
    assert.equal(verdict.decision, 'block');
    assert.deepEqual(verdict.clauses, ['MP.CONSENT.PERIODIC', 'MP.COUNTRY']);
    assert.match(verdict.reason, /FL allows 3 marketing messages per person in 24h/);
    const california = anEnvelope({ ...marketing, recipient: { country: 'US', region: 'CA' } });
    assert.equal(decideConsent(california, facts({ records: [record()], history: three })).verdict.decision, 'pass');
    const oneDayLater = { sentBefore: true, recent: sent(3, 'offers', 'marketing', 25 * HOUR) };
    assert.equal(decideConsent(florida, facts({ records: [record()], history: oneDayLater })).verdict.decision, 'pass');
  });

  it('reminds people how to opt out when a recurring campaign has not for a while', () => {
    const campaign = { ...tenant.campaigns[1]!, optOutReminderDays: 30 };
    const plain = anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: new toothbrushes are in.' } });
    const stale = { sentBefore: true, recent: [{ campaign: 'offers', useCase: 'marketing' as const, at: ago(40 * DAY), optOutLanguage: true }] };
    const reminded = decideConsent(plain, facts({ records: [record()], campaign, history: stale }));
    assert.equal(reminded.verdict.decision, 'transform');
    assert.equal(reminded.verdict.transform?.text, ' Reply STOP to opt out.');
    const fresh = { sentBefore: true, recent: [{ campaign: 'offers', useCase: 'marketing' as const, at: ago(5 * DAY), optOutLanguage: true }] };
    assert.equal(decideConsent(plain, facts({ records: [record()], campaign, history: fresh })).verdict.decision, 'pass');
  });

  it('reads opt-out wording as screening does (MP.OPTOUT.LANGUAGE): a keyword first, another verb or Spanish counts; a keyword without its purpose does not', () => {
    const campaign = { ...tenant.campaigns[1]!, optOutReminderDays: 30 };
    const stale = { sentBefore: true, recent: [{ campaign: 'offers', useCase: 'marketing' as const, at: ago(40 * DAY), optOutLanguage: true }] };
    const decide = (body: string) =>
      decideConsent(anEnvelope({ message: { campaign: 'offers', useCase: 'marketing', body } }), facts({ records: [record()], campaign, history: stale })).verdict.decision;
    for (const wording of ['Reply STOP to end.', 'STOP to end.', 'Reply with STOP to unsubscribe.', 'Msg STOP to opt out.', 'Responda STOP para cancelar.', 'To unsubscribe, text STOP.']) {
      assert.equal(decide(`Acme Dental: new toothbrushes are in. ${wording}`), 'pass', `${wording} is a reminder already`);
    }
    assert.equal(decide('Acme Dental: new toothbrushes are in. Reply STOP'), 'transform', 'a keyword without what it does is no reminder');
    assert.equal(decide('Acme Dental: please text end-of-day readings to Dr. Lee.'), 'transform', '"text end-of-day" is no instruction');
  });
});
