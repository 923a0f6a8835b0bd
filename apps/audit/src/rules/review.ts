import { appendVerdict, type MessageEnvelope, type TopicKey } from '@sms/contracts';
import { handedToTwilio, historyFromEnvelope, stopsBeforeTheLedger, type HistoryEvent } from './history.js';

/**
 * Where a held message goes when a compliance reviewer approves it. A consent hold goes back
 * through consent (`sms.accepted.v1`), which decides again on the consent and opt-out state of
 * that moment (an opt-out since the hold blocks it, a pause holds it again; the approval only
 * stands in for the reconfirmation it was held for). Other holds go on after the stage that
 * held them, and every later stage and the dispatcher's last-moment opt-out check still judge it.
 */
const NEXT_TOPIC: Record<string, TopicKey> = {
  consent: 'accepted',
  'content-screening': 'screened',
  'snowshoeing-detector': 'cleared',
  dispatcher: 'cleared',
};

export interface ReviewOutcome {
  topic: TopicKey;
  envelope: MessageEnvelope;
}

/**
 * Why a reviewer may not release this hold, if so: a hold on an unclear reply (marketing
 * paused, MP.OPTOUT.HONOR: by consent, or by the dispatcher's last-moment check when another
 * hold was released meanwhile) rests on the opt-out review of that reply, and only that
 * review's decision releases or blocks the messages held behind it.
 */
export function releaseBlocker(envelope: MessageEnvelope): string | null {
  const held = envelope.verdicts.at(-1);
  if (held?.decision === 'hold' && held.clauses.includes('MP.OPTOUT.HONOR')) {
    return 'it is held behind an unclear reply that may be an opt-out (MP.OPTOUT.HONOR): the opt-out review of that reply decides it (consent, /admin/v1/opt-out-reviews), and its decision releases or blocks the messages held behind it';
  }
  return null;
}

/**
 * A reviewer's decision on a held message, appended as a verdict of the `review` stage that
 * cites the clauses the hold cited: approved, it goes on (see NEXT_TOPIC); rejected, it is blocked.
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

/**
 * Whether a held message (on `sms.stopped.v1`) joins the review queue, given its history as
 * recorded with this hold. Not when the history keeps another decision of the same stage at the
 * same step: the first one recorded wins, as in the history, and as the dispatcher acted on it
 * (a stage that decided a redelivered message anew). Nor when the history shows the message
 * handed to Twilio and the hold comes from before the ledger: nothing a reviewer decides can
 * stop a message Twilio has.
 */
export function joinsReviewQueue(envelope: MessageEnvelope, history: readonly Pick<HistoryEvent, 'eventKey' | 'kind' | 'status' | 'stage' | 'decision' | 'facts'>[]): boolean {
  // The last verdict the envelope carries: the one a stopped envelope ends with.
  const hold = historyFromEnvelope(envelope).at(-1);
  if (hold?.decision !== 'hold') return false;
  if (history.some((e) => e.eventKey === hold.eventKey && e.decision !== hold.decision)) return false;
  return !(stopsBeforeTheLedger(hold) && history.some(handedToTwilio));
}
