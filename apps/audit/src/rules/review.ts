import { appendVerdict, type MessageEnvelope, type TopicKey } from '@sms/contracts';

/** Where a held message continues when a reviewer approves it: after the stage that held it. */
const NEXT_TOPIC: Record<string, TopicKey> = {
  consent: 'consented',
  'content-screening': 'screened',
  'snowshoeing-detector': 'cleared',
  dispatcher: 'cleared',
};

export interface ReviewOutcome {
  topic: TopicKey;
  envelope: MessageEnvelope;
}

/**
 * A reviewer's decision on a held message, appended as a verdict of the `review` stage that
 * cites the clauses the hold cited: approved, it goes on from where it was held (the later
 * stages still judge it); rejected, it is blocked.
 */
export function reviewOutcome(envelope: MessageEnvelope, decision: 'approve' | 'reject', decidedBy: string, note: string | undefined, now: Date): ReviewOutcome {
  const held = envelope.verdicts.at(-1);
  if (!held || held.decision !== 'hold') throw new Error(`message ${envelope.id} was not held`);
  const approved = decision === 'approve';
  const next = appendVerdict(envelope, {
    stage: 'review',
    decision: approved ? 'pass' : 'block',
    clauses: held.clauses,
    reason: `${approved ? 'approved' : 'rejected'} by ${decidedBy}${note ? `: ${note}` : ''} (held by ${held.stage}: ${held.reason})`,
    facts: { decidedBy, heldBy: held.stage },
    at: now.toISOString(),
  });
  return { topic: approved ? (NEXT_TOPIC[held.stage] ?? 'cleared') : 'stopped', envelope: next };
}
