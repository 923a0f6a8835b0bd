import type { MessageEnvelope, Verdict } from '@sms/contracts';

export type LastMomentDecision = { allow: true; note: string | null } | { allow: false; verdict: Omit<Verdict, 'at'> };

/**
 * MP.OPTOUT.HONOR at the last moment before Twilio: an opt-out recorded at any scope the
 * message may go out under (the tenant, its brand, its sender numbers) stops it, even when it
 * passed consent before the STOP arrived. The one confirmation of an opt-out passes, once.
 */
export function lastMomentOptOut(
  envelope: MessageEnvelope,
  scopes: readonly string[],
  optedOut: readonly { scope: string; changedAt: Date }[],
  /** Whether another confirmation went to this person after the opt-out. */
  confirmationAlreadySent: boolean,
): LastMomentDecision {
  const hits = optedOut.filter((o) => scopes.includes(o.scope));
  if (hits.length === 0) return { allow: true, note: null };
  const latest = hits.reduce((a, b) => (a.changedAt >= b.changedAt ? a : b));
  if (envelope.kind === 'opt_out_confirmation') {
    if (!confirmationAlreadySent) return { allow: true, note: `the one confirmation of the opt-out at ${latest.changedAt.toISOString()}` };
    return blocked(latest.scope, `the confirmation of the opt-out at ${latest.changedAt.toISOString()} was already sent: one confirmation, then nothing`);
  }
  return blocked(latest.scope, `the recipient opted out (scope ${latest.scope}) at ${latest.changedAt.toISOString()}, after this message passed consent`);
}

function blocked(optOutScope: string, reason: string): LastMomentDecision {
  return { allow: false, verdict: { stage: 'dispatcher', decision: 'block', clauses: ['MP.OPTOUT.HONOR'], reason, facts: { optOutScope } } };
}

/**
 * MP.OPTOUT.HONOR for a pause: while an unclear reply awaits its opt-out review, marketing to
 * the person waits too, even a message that passed consent before the reply came or that a
 * reviewer released from another hold (content, snowshoeing) meanwhile. It is held here, and
 * the review's decision releases or blocks it. Informational and conversational messages, and
 * the pipeline's own answers, still go. A message the opt-out review itself released (its
 * approval cites MP.OPTOUT.HONOR) goes once the pause it decided is the latest: this view of
 * the consent state may learn of the decision after the released message arrives.
 */
export function lastMomentPause(envelope: MessageEnvelope, scopes: readonly string[], paused: readonly { scope: string; changedAt: Date }[]): Omit<Verdict, 'at'> | null {
  if (envelope.kind !== 'standard' || envelope.message.useCase !== 'marketing') return null;
  const hits = paused.filter((p) => scopes.includes(p.scope));
  if (hits.length === 0) return null;
  const latest = hits.reduce((a, b) => (a.changedAt >= b.changedAt ? a : b));
  const released = envelope.verdicts.findLast((v) => v.stage === 'review' && v.decision === 'pass' && v.clauses.includes('MP.OPTOUT.HONOR'));
  if (released && Date.parse(released.at) >= latest.changedAt.getTime()) return null;
  return {
    stage: 'dispatcher',
    decision: 'hold',
    clauses: ['MP.OPTOUT.HONOR'],
    reason: `marketing to this person is paused (scope ${latest.scope}): an unclear reply at ${latest.changedAt.toISOString()} may be an opt-out and awaits its review, which releases or blocks this message`,
    facts: { pausedScope: latest.scope, pausedAt: latest.changedAt.toISOString() },
  };
}

/** When the opt-outs that apply to a message were recorded: a confirmation may follow only the latest. */
export function latestOptOut(scopes: readonly string[], optedOut: readonly { scope: string; changedAt: Date }[]): Date | null {
  const hits = optedOut.filter((o) => scopes.includes(o.scope)).map((o) => o.changedAt.getTime());
  return hits.length > 0 ? new Date(Math.max(...hits)) : null;
}
