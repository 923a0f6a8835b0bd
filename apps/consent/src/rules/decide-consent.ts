import {
  scopesForMessage,
  type ClauseId,
  type ConsentBasis,
  type ConsentReceipt,
  type MessageEnvelope,
  type Verdict,
} from '@sms/contracts';

export interface ConsentRecordFact {
  id: string;
  brand: string;
  campaign: string;
  basis: 'express' | 'prior_relationship';
  wordingVersion: string | null;
  capturedAt: string;
}

/** The latest opt-out or opt-in at one scope ("tenant", "brand:<name>", "sender:<E.164>"). */
export interface OptStateFact {
  scope: string;
  optedOut: boolean;
  at: string;
}

export interface InboundFact {
  twilioSid: string;
  sender: string;
  at: string;
}

export interface ConsentFacts {
  /** Every consent record of this recipient at this tenant, whatever the brand or campaign. */
  records: ConsentRecordFact[];
  optStates: OptStateFact[];
  /** The person's latest message to each of the tenant's numbers. */
  inbound: InboundFact[];
  /** Numbers of the messaging service, when the message names one instead of a sender. */
  senderPool: string[];
  conversationWindowMs: number;
  now: Date;
}

export interface ConsentDecision {
  verdict: Verdict;
  receipt?: ConsentReceipt;
}

const BASES_FOR: Record<MessageEnvelope['message']['useCase'], readonly ConsentBasis[]> = {
  marketing: ['express'],
  informational: ['express', 'prior_relationship'],
  conversational: ['conversation'],
};

function verdict(decision: Verdict['decision'], clauses: ClauseId[], reason: string, facts: Verdict['facts'], now: Date): Verdict {
  return { stage: 'consent', decision, clauses, reason, facts, at: now.toISOString() };
}

/**
 * Is there a basis to send this message to this person? Pure: everything it needs is in
 * the envelope and the facts.
 */
export function decideConsent(envelope: MessageEnvelope, facts: ConsentFacts): ConsentDecision {
  const { message } = envelope;
  const now = facts.now;

  // MP.OPTOUT.HONOR: an opt-out at any scope that covers this message wins over any consent.
  const scopes = scopesForMessage(message, facts.senderPool);
  const optOut = facts.optStates.find((s) => s.optedOut && scopes.includes(s.scope));
  if (optOut) {
    return {
      verdict: verdict('block', ['MP.OPTOUT.HONOR'], `the recipient opted out (scope ${optOut.scope}) at ${optOut.at}`, { optOutScope: optOut.scope, optedOutAt: optOut.at }, now),
    };
  }

  if (message.useCase === 'conversational') {
    const senders = message.from !== undefined ? [message.from] : facts.senderPool;
    const latest = facts.inbound
      .filter((i) => senders.includes(i.sender))
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
    const hours = Math.round(facts.conversationWindowMs / 3_600_000);
    if (latest && now.getTime() - Date.parse(latest.at) <= facts.conversationWindowMs) {
      return {
        verdict: verdict('pass', ['MP.CONSENT.CONVERSATION'], `a reply within ${hours}h of the person's message`, { basis: 'conversation', inboundAt: latest.at }, now),
        receipt: { basis: 'conversation', recordId: `inbound:${latest.twilioSid}`, decidedAt: now.toISOString() },
      };
    }
    return {
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
  const usable = inScope
    .filter((r) => allowed.includes(r.basis))
    .sort((a, b) => (a.basis === b.basis ? Date.parse(b.capturedAt) - Date.parse(a.capturedAt) : a.basis === 'express' ? -1 : 1))[0];
  if (usable) {
    const clause: ClauseId = usable.basis === 'express' ? 'MP.CONSENT.PRIOR' : 'MP.CONSENT.PRIOR_RELATIONSHIP';
    return {
      verdict: verdict('pass', [clause, 'MP.CONSENT.SCOPE'], `${usable.basis.replace('_', ' ')} consent for ${message.brand} / ${message.campaign}`, { basis: usable.basis, recordId: usable.id }, now),
      receipt: {
        basis: usable.basis,
        recordId: usable.id,
        ...(usable.wordingVersion !== null ? { wordingVersion: usable.wordingVersion } : {}),
        decidedAt: now.toISOString(),
      },
    };
  }

  if (inScope.length > 0) {
    return {
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
      verdict: verdict(
        'block',
        ['MP.CONSENT.SCOPE', 'MP.CONSENT.PRIOR'],
        `consent on record covers ${covered.join(', ')} only, not ${message.brand} / ${message.campaign}`,
        { basis: null, coveredScopes: covered },
        now,
      ),
    };
  }

  return {
    verdict: verdict('block', ['MP.CONSENT.PRIOR'], `no consent on record for ${message.brand} / ${message.campaign}`, { basis: null }, now),
  };
}
