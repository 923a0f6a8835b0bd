import { scopesForMessage, type ClauseId, type ConsentBasis, type ConsentReceipt, type MessageEnvelope, type TenantConfigEvent, type Transform, type UseCase, type Verdict } from '@sms/contracts';
import { hasStandardOptOutWording } from '@sms/text';
import type { ConsentPolicy } from './rule-data.js';

export interface ConsentRecordFact {
  id: string;
  brand: string;
  campaign: string;
  basis: 'express' | 'prior_relationship';
  wordingVersion: string | null;
  capturedAt: string;
  chosenFrequency: { max: number; per: 'day' | 'week' | 'month' } | null;
}

/**
 * The latest opt event at one scope ("tenant", "brand:<name>", "sender:<E.164>"): an
 * opt-out, an opt-in that ended one, or a pause of marketing while a person decides
 * whether an unclear reply was an opt-out.
 */
export interface OptStateFact {
  scope: string;
  state: 'opted_out' | 'opted_in' | 'paused';
  at: string;
  /** Messages the pipeline itself may send in answer to this event (the one confirmation). */
  replyMessageIds: string[];
}

export interface InboundFact {
  twilioSid: string;
  sender: string;
  at: string;
  /** The answer to this message the pipeline decided to send (HELP reply, opt-in confirmation). */
  replyMessageId: string | null;
}

/** What this person has received before: for first-message rules and frequency caps. */
export interface HistoryFact {
  /** Some message of this brand was sent to the person before. */
  sentBefore: boolean;
  /** Messages that passed consent, newest first: campaign, use case, time, and whether they carried opt-out wording. */
  recent: { campaign: string; useCase: UseCase; at: string; optOutLanguage: boolean }[];
}

export interface ConsentFacts {
  /** Every consent record of this recipient at this tenant, whatever the brand or campaign. */
  records: ConsentRecordFact[];
  optStates: OptStateFact[];
  /** The person's latest message to each of the tenant's numbers. */
  inbound: InboundFact[];
  history: HistoryFact;
  /** Numbers of the messaging service, when the message names one instead of a sender. */
  senderPool: string[];
  campaign: TenantConfigEvent['campaigns'][number] | undefined;
  settings: TenantConfigEvent['settings'];
  policy: ConsentPolicy;
  conversationWindowMs: number;
  now: Date;
}

export interface ConsentDecision {
  verdict: Verdict;
  receipt?: ConsentReceipt;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const BASES_FOR: Record<MessageEnvelope['message']['useCase'], readonly ConsentBasis[]> = {
  marketing: ['express'],
  informational: ['express', 'prior_relationship'],
  conversational: ['conversation'],
};

function verdict(decision: Verdict['decision'], clauses: ClauseId[], reason: string, facts: Verdict['facts'], now: Date, transform?: Transform): Verdict {
  return { stage: 'consent', decision, clauses, reason, facts, at: now.toISOString(), ...(transform ? { transform } : {}) };
}

/**
 * Is there a basis to send this message to this person, and on what terms? Pure: everything
 * it needs is in the envelope and the facts. In order: opt-outs win over everything
 * (MP.OPTOUT.HONOR); then the basis (MP.CONSENT.PRIOR, PRIOR_RELATIONSHIP, CONVERSATION,
 * SCOPE); then reconfirmation of old consent (MP.CONSENT.RECONFIRM); then frequency caps
 * and unsubscribe reminders (MP.CONSENT.PERIODIC).
 */
export function decideConsent(envelope: MessageEnvelope, facts: ConsentFacts): ConsentDecision {
  const { message } = envelope;
  const now = facts.now;
  const scopes = scopesForMessage(message, facts.senderPool);
  const covering = facts.optStates.filter((s) => scopes.includes(s.scope));

  if (envelope.kind !== 'standard') return decideSystemMessage(envelope, facts, covering);

  // MP.OPTOUT.HONOR: an opt-out at any scope that covers this message wins over any consent.
  const optOut = covering.find((s) => s.state === 'opted_out');
  if (optOut) {
    return {
      verdict: verdict('block', ['MP.OPTOUT.HONOR'], `the recipient opted out (scope ${optOut.scope}) at ${optOut.at}`, { optOutScope: optOut.scope, optedOutAt: optOut.at }, now),
    };
  }
  const paused = covering.find((s) => s.state === 'paused');
  if (paused && message.useCase === 'marketing') {
    return {
      verdict: verdict(
        'hold',
        ['MP.OPTOUT.HONOR'],
        `marketing to this person is paused: an unclear reply at ${paused.at} may be an opt-out and awaits a decision`,
        { pausedScope: paused.scope, pausedAt: paused.at },
        now,
      ),
    };
  }

  const basis = findBasis(envelope, facts);
  if (!basis.ok) return { verdict: basis.verdict };
  const firstMessage = !facts.history.sentBefore;
  const receipt: ConsentReceipt = { ...basis.receipt, firstMessage };

  const appended: string[] = [];
  const clauses: ClauseId[] = [...basis.clauses];
  const reasons: string[] = [basis.reason];
  const verdictFacts: Verdict['facts'] = { ...basis.facts, firstMessage };

  // MP.CONSENT.RECONFIRM: consent given long ago and nothing sent since must be reconfirmed.
  if (basis.record && firstMessage) {
    const afterDays = facts.policy.reconfirm.afterDays[envelope.recipient.country] ?? facts.policy.reconfirm.defaultAfterDays;
    const ageDays = Math.floor((now.getTime() - Date.parse(basis.record.capturedAt)) / DAY);
    if (ageDays > afterDays) {
      const why = `consent is ${ageDays} days old (more than ${afterDays} for ${envelope.recipient.country}) and nothing was sent since`;
      verdictFacts['consentAgeDays'] = ageDays;
      if (facts.settings.reconfirm === 'block') {
        return { verdict: verdict('block', ['MP.CONSENT.RECONFIRM'], `${why}; this tenant blocks such messages`, verdictFacts, now) };
      }
      // A compliance reviewer who approved this hold reconfirmed it; everything else is decided again.
      if (facts.settings.reconfirm === 'hold' && !reviewApproved(envelope, 'MP.CONSENT.RECONFIRM')) {
        return { verdict: verdict('hold', ['MP.CONSENT.RECONFIRM'], `${why}; held for a person to reconfirm`, verdictFacts, now), receipt };
      }
      // The opt-out instruction once: the body may carry it already.
      const wording = hasStandardOptOutWording(message.body) ? facts.policy.reconfirm.wordingWithOptOut : facts.policy.reconfirm.wording;
      appended.push(wording.replaceAll('{brand}', message.brand));
      clauses.push('MP.CONSENT.RECONFIRM');
      reasons.push(`${why}: reconfirmation wording appended`);
    }
  }

  // MP.CONSENT.PERIODIC: the caps the campaign, the person and the recipient's state set.
  const cap = exceededCap(envelope, facts, basis.record);
  if (cap) {
    return { verdict: verdict('block', cap.clauses, cap.reason, { ...verdictFacts, cap: cap.name }, now) };
  }

  // MP.CONSENT.PERIODIC: a recurring campaign reminds people how to opt out.
  const reminderDays = facts.campaign?.optOutReminderDays;
  if (reminderDays !== undefined && !hasStandardOptOutWording(message.body) && appended.length === 0) {
    const lastReminder = facts.history.recent.find((m) => m.campaign === message.campaign && m.optOutLanguage);
    if (!lastReminder || now.getTime() - Date.parse(lastReminder.at) > reminderDays * DAY) {
      appended.push(facts.policy.optOutReminder.wording);
      clauses.push('MP.CONSENT.PERIODIC');
      reasons.push(`no unsubscribe reminder in this campaign for ${reminderDays} days: reminder appended`);
    }
  }

  if (appended.length > 0) {
    const transform: Transform = { kind: 'append', text: appended.join(''), description: reasons.slice(1).join('; ') };
    return { verdict: verdict('transform', [...new Set(clauses)], reasons.join('; '), verdictFacts, now, transform), receipt };
  }
  return { verdict: verdict('pass', clauses, basis.reason, verdictFacts, now), receipt };
}

type Basis = { ok: true; clauses: ClauseId[]; reason: string; facts: Verdict['facts']; receipt: ConsentReceipt; record: ConsentRecordFact | null } | { ok: false; verdict: Verdict };

function findBasis(envelope: MessageEnvelope, facts: ConsentFacts): Basis {
  const { message } = envelope;
  const now = facts.now;

  if (message.useCase === 'conversational') {
    const senders = message.from !== undefined ? [message.from] : facts.senderPool;
    const latest = facts.inbound.filter((i) => senders.includes(i.sender)).sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
    const hours = Math.round(facts.conversationWindowMs / HOUR);
    if (latest && now.getTime() - Date.parse(latest.at) <= facts.conversationWindowMs) {
      return {
        ok: true,
        clauses: ['MP.CONSENT.CONVERSATION'],
        reason: `a reply within ${hours}h of the person's message`,
        facts: { basis: 'conversation', inboundAt: latest.at },
        receipt: { basis: 'conversation', recordId: `inbound:${latest.twilioSid}`, decidedAt: now.toISOString() },
        record: null,
      };
    }
    return {
      ok: false,
      verdict: verdict(
        'block',
        ['MP.CONSENT.CONVERSATION', 'MP.CONSENT.PRIOR'],
        latest ? `the person's last message is older than the ${hours}h conversation window` : 'the person has not written to this number',
        { basis: null, lastInboundAt: latest?.at ?? null },
        now,
      ),
    };
  }

  const allowed = BASES_FOR[message.useCase];
  const inScope = facts.records.filter((r) => r.brand === message.brand && r.campaign === message.campaign);
  const usable = inScope.filter((r) => allowed.includes(r.basis)).sort((a, b) => (a.basis === b.basis ? Date.parse(b.capturedAt) - Date.parse(a.capturedAt) : a.basis === 'express' ? -1 : 1))[0];
  if (usable) {
    return {
      ok: true,
      clauses: [usable.basis === 'express' ? 'MP.CONSENT.PRIOR' : 'MP.CONSENT.PRIOR_RELATIONSHIP', 'MP.CONSENT.SCOPE'],
      reason: `${usable.basis.replace('_', ' ')} consent for ${message.brand} / ${message.campaign}`,
      facts: { basis: usable.basis, recordId: usable.id },
      receipt: {
        basis: usable.basis,
        recordId: usable.id,
        ...(usable.wordingVersion !== null ? { wordingVersion: usable.wordingVersion } : {}),
        decidedAt: now.toISOString(),
      },
      record: usable,
    };
  }
  if (inScope.length > 0) {
    return {
      ok: false,
      verdict: verdict(
        'block',
        ['MP.CONSENT.PRIOR_RELATIONSHIP', 'MP.CONSENT.PRIOR'],
        `a prior relationship allows informational messages only; ${message.useCase} messages need express consent`,
        { basis: null, recordsInScope: inScope.length },
        now,
      ),
    };
  }
  const elsewhere = facts.records.filter((r) => r.brand !== message.brand || r.campaign !== message.campaign);
  if (elsewhere.length > 0) {
    const covered = [...new Set(elsewhere.map((r) => `${r.brand} / ${r.campaign}`))].sort();
    return {
      ok: false,
      verdict: verdict(
        'block',
        ['MP.CONSENT.SCOPE', 'MP.CONSENT.PRIOR'],
        `consent on record covers ${covered.join(', ')} only, not ${message.brand} / ${message.campaign}`,
        { basis: null, coveredScopes: covered },
        now,
      ),
    };
  }
  return { ok: false, verdict: verdict('block', ['MP.CONSENT.PRIOR'], `no consent on record for ${message.brand} / ${message.campaign}`, { basis: null }, now) };
}

function exceededCap(envelope: MessageEnvelope, facts: ConsentFacts, record: ConsentRecordFact | null): { name: string; clauses: ClauseId[]; reason: string } | null {
  const { message, recipient } = envelope;
  const now = facts.now.getTime();
  const count = (windowMs: number, match: (m: HistoryFact['recent'][number]) => boolean) => facts.history.recent.filter((m) => now - Date.parse(m.at) < windowMs && match(m)).length;
  const sameCampaign = (m: HistoryFact['recent'][number]) => m.campaign === message.campaign;

  const campaign = facts.campaign;
  if (campaign?.maxPerDay !== undefined && count(DAY, sameCampaign) >= campaign.maxPerDay) {
    return { name: 'campaign-per-day', clauses: ['MP.CONSENT.PERIODIC'], reason: `campaign ${message.campaign} allows ${campaign.maxPerDay} message(s) per person per day, already reached` };
  }
  if (campaign?.maxPerWeek !== undefined && count(7 * DAY, sameCampaign) >= campaign.maxPerWeek) {
    return { name: 'campaign-per-week', clauses: ['MP.CONSENT.PERIODIC'], reason: `campaign ${message.campaign} allows ${campaign.maxPerWeek} message(s) per person per week, already reached` };
  }
  const chosen = record?.chosenFrequency;
  if (chosen) {
    const windowMs = { day: DAY, week: 7 * DAY, month: 30 * DAY }[chosen.per];
    if (count(windowMs, sameCampaign) >= chosen.max) {
      return { name: 'chosen-frequency', clauses: ['MP.CONSENT.PERIODIC'], reason: `the person chose at most ${chosen.max} message(s) per ${chosen.per}, already reached` };
    }
  }
  for (const cap of facts.policy.stateCaps) {
    if (cap.country !== recipient.country || cap.region !== recipient.region || !cap.useCases.includes(message.useCase)) continue;
    if (count(cap.windowHours * HOUR, (m) => cap.useCases.includes(m.useCase)) >= cap.max) {
      return {
        name: `state-${cap.region}`,
        clauses: ['MP.CONSENT.PERIODIC', 'MP.COUNTRY'],
        reason: `${cap.region} allows ${cap.max} ${cap.useCases.join('/')} messages per person in ${cap.windowHours}h (${cap.source}), already reached`,
      };
    }
  }
  return null;
}

/**
 * The pipeline's own answers to a person pass only if consent itself decided to send them:
 * the one confirmation of an opt-out, the confirmation of an opt-in, the answer to HELP.
 */
function decideSystemMessage(envelope: MessageEnvelope, facts: ConsentFacts, covering: OptStateFact[]): ConsentDecision {
  const now = facts.now;
  const inbound = facts.inbound.find((i) => i.replyMessageId === envelope.id);
  const optEvent = covering.find((s) => s.replyMessageIds.includes(envelope.id));
  if (envelope.kind === 'opt_out_confirmation' && optEvent?.state === 'opted_out') {
    return {
      verdict: verdict('pass', ['MP.OPTOUT.HONOR'], `the one confirmation of the opt-out at ${optEvent.at}`, { basis: 'conversation', optOutScope: optEvent.scope }, now),
      receipt: { basis: 'conversation', recordId: `opt-out:${optEvent.scope}:${optEvent.at}`, decidedAt: now.toISOString(), firstMessage: false },
    };
  }
  // An opt-in confirmation needs the opt-out gone; a HELP answer is always allowed (CTIA).
  if (envelope.kind !== 'opt_out_confirmation' && inbound && (envelope.kind === 'help_reply' || !covering.some((s) => s.state === 'opted_out'))) {
    return {
      verdict: verdict(
        'pass',
        ['MP.CONSENT.CONVERSATION'],
        `the answer to the person's ${envelope.kind === 'help_reply' ? 'HELP' : 'opt-in'} message`,
        { basis: 'conversation', inboundAt: inbound.at },
        now,
      ),
      receipt: { basis: 'conversation', recordId: `inbound:${inbound.twilioSid}`, decidedAt: now.toISOString(), firstMessage: false },
    };
  }
  return {
    verdict: verdict(
      'block',
      envelope.kind === 'opt_out_confirmation' ? ['MP.OPTOUT.HONOR'] : ['MP.CONSENT.CONVERSATION', 'MP.CONSENT.PRIOR'],
      `a ${envelope.kind.replaceAll('_', ' ')} that consent did not decide to send`,
      { basis: null },
      now,
    ),
  };
}

/** A compliance reviewer approved a hold of this message that cited the clause. */
function reviewApproved(envelope: MessageEnvelope, clause: ClauseId): boolean {
  return envelope.verdicts.some((v) => v.stage === 'review' && v.decision === 'pass' && v.clauses.includes(clause));
}
