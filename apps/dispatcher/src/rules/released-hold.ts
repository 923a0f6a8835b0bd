import type { MessageEnvelope } from '@sms/contracts';

/**
 * Whether a cleared message is a compliance reviewer's release of a hold the dispatcher made
 * (a pause of marketing, quiet hours that never open): the review's approval is its last verdict.
 * Such a message is already in the ledger, held; it is queued again and checked again (a
 * redelivered message, by contrast, is never queued twice).
 */
export function releasesDispatcherHold(envelope: MessageEnvelope): boolean {
  const last = envelope.verdicts.at(-1);
  return last?.stage === 'review' && last.decision === 'pass' && last.facts['heldBy'] === 'dispatcher';
}
