import { Inject, Injectable } from '@nestjs/common';
import { messagingServiceNumbers, scopesForMessage, type MessageEnvelope, type Verdict } from '@sms/contracts';
import { TenantDirectory } from '@sms/tenancy';
import { ConsentViewRepository, type RecipientConsentState } from '../consent-state/consent-view.repository.js';
import { lastMomentOptOut, lastMomentPause, latestOptOut } from '../rules/last-moment-opt-out.js';
import { SendLedgerRepository } from './send-ledger.repository.js';

export interface ScreenedMessage {
  messageId: string;
  tenantId: string;
  recipientToken: string;
  envelope: MessageEnvelope;
}

const NOTHING: RecipientConsentState = { optedOut: [], paused: [] };

/**
 * The opt-out check (MP.OPTOUT.HONOR) against the dispatcher's view of `consent.state.v1`,
 * for many messages in one or two queries: an opt-out blocks, a pause of marketing holds. It
 * runs when a message is claimed, so that a STOP frees the slots of the messages queued
 * behind it, and again right before the call to Twilio, so that a STOP that arrives in
 * between still wins.
 */
@Injectable()
export class OptOutScreen {
  constructor(
    @Inject(ConsentViewRepository) private readonly consent: ConsentViewRepository,
    @Inject(SendLedgerRepository) private readonly ledger: SendLedgerRepository,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  /** The messages that must not go now, with the verdict that says why (`block` or `hold`). */
  async stopped(items: ScreenedMessage[]): Promise<Map<string, Omit<Verdict, 'at'>>> {
    const out = new Map<string, Omit<Verdict, 'at'>>();
    if (items.length === 0) return out;
    const scopes = items.map((i) => scopesForMessage(i.envelope.message, messagingServiceNumbers(this.tenants.get(i.tenantId), i.envelope.message.messagingServiceSid)));
    const states = await this.consent.consentStates(items.map((i) => ({ tenantId: i.tenantId, recipientToken: i.recipientToken })));
    const stateOf = (i: ScreenedMessage): RecipientConsentState => states.get(`${i.tenantId}\u0000${i.recipientToken}`) ?? NOTHING;
    const confirmations = items
      .map((i, n) => ({ i, since: i.envelope.kind === 'opt_out_confirmation' ? latestOptOut(scopes[n]!, stateOf(i).optedOut) : null }))
      .filter((x): x is { i: ScreenedMessage; since: Date } => x.since !== null);
    const alreadyConfirmed = await this.ledger.confirmationsSince(confirmations.map(({ i, since }) => ({ tenantId: i.tenantId, recipientToken: i.recipientToken, since, messageId: i.messageId })));
    items.forEach((i, n) => {
      const decision = lastMomentOptOut(i.envelope, scopes[n]!, stateOf(i).optedOut, alreadyConfirmed.has(i.messageId));
      const verdict = decision.allow ? lastMomentPause(i.envelope, scopes[n]!, stateOf(i).paused) : decision.verdict;
      if (verdict) out.set(i.messageId, verdict);
    });
    return out;
  }
}
