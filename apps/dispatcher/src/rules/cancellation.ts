import type { MessageStatus } from '@sms/contracts';
import type { SendState } from '../dispatch/send.entity.js';

/** What the ledger holds for the message a cancel request names (null: not at the dispatcher yet). */
export interface LedgerView {
  tenantId: string;
  state: SendState;
  attempts: number;
  /** The attempt whose call to Twilio began, if any. */
  handedAttempt: number | null;
  twilioSid: string | null;
  deliveryStatus: string | null;
}

export type CancelDecision =
  /** `stopRow`: the ledger row to mark cancelled (false when there is none yet, or it already is). */
  { outcome: 'cancelled'; stopRow: boolean; reason: string } | { outcome: 'refused'; status: MessageStatus; reason: string; foreign: boolean };

/**
 * Whether a message can still be cancelled, from the ledger, the point of truth for "handed
 * to Twilio". Until its call to Twilio begins a message can be stopped wherever it is: still
 * in the pipeline or held for review (no row yet: the request waits in the ledger and stops
 * it when it comes), queued, deferred, held here, or claimed by an instance that has not
 * called yet. Once the call began, Twilio may have it: refused. A message already ended
 * (failed, blocked) has nothing left to cancel.
 */
export function decideCancellation(row: LedgerView | null, tenantId: string): CancelDecision {
  if (row === null) return { outcome: 'cancelled', stopRow: false, reason: 'cancelled before it reached the dispatcher: it will not be sent' };
  if (row.tenantId !== tenantId) return { outcome: 'refused', status: 'accepted', reason: `message is not tenant ${tenantId}'s`, foreign: true };
  switch (row.state) {
    case 'cancelled':
      return { outcome: 'cancelled', stopRow: false, reason: 'already cancelled' };
    case 'queued':
    case 'held':
      return { outcome: 'cancelled', stopRow: true, reason: 'cancelled before it was handed to Twilio' };
    case 'sending':
      return row.handedAttempt === row.attempts
        ? { outcome: 'refused', status: 'sending', reason: 'already handed to Twilio (the call had begun)', foreign: false }
        : { outcome: 'cancelled', stopRow: true, reason: 'cancelled before it was handed to Twilio' };
    case 'accepted':
      return { outcome: 'refused', status: deliveredAs(row.deliveryStatus), reason: `already handed to Twilio (${row.twilioSid ?? 'no SID'})`, foreign: false };
    case 'failed':
      return { outcome: 'refused', status: 'failed', reason: 'already failed: nothing to cancel', foreign: false };
    case 'blocked':
      return { outcome: 'refused', status: 'blocked', reason: 'already blocked: nothing to cancel', foreign: false };
  }
}

function deliveredAs(deliveryStatus: string | null): MessageStatus {
  return deliveryStatus === 'sent' || deliveryStatus === 'delivered' || deliveryStatus === 'undelivered' || deliveryStatus === 'failed' ? deliveryStatus : 'sending';
}
