import { Inject, Injectable } from '@nestjs/common';
import { messagingServiceNumbers, scopesForMessage, type MessageEnvelope, type Verdict } from '@sms/contracts';
import { TenantDirectory } from '@sms/tenancy';
import { DispatchRepository } from '../database/dispatch.repository.js';
import { lastMomentOptOut, latestOptOut } from '../rules/last-moment-opt-out.js';

export interface ScreenedMessage {
  messageId: string;
  tenantId: string;
  recipientToken: string;
  envelope: MessageEnvelope;
}

/**
 * The opt-out check (MP.OPTOUT.HONOR) against the dispatcher's view of `consent.state.v1`,
 * for many messages in one or two queries. It runs when a message is claimed, so that a
 * STOP frees the slots of the messages queued behind it, and again right before the call to
 * Twilio, so that a STOP that arrives in between still wins.
 */
@Injectable()
export class OptOutScreen {
  constructor(
    @Inject(DispatchRepository) private readonly ledger: DispatchRepository,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  /** The messages that must not go, with the verdict that says why. */
  async blocked(items: ScreenedMessage[]): Promise<Map<string, Omit<Verdict, 'at'>>> {
    const out = new Map<string, Omit<Verdict, 'at'>>();
    if (items.length === 0) return out;
    const scopes = items.map((i) => scopesForMessage(i.envelope.message, messagingServiceNumbers(this.tenants.get(i.tenantId), i.envelope.message.messagingServiceSid)));
    const optedOut = await this.ledger.optedOutScopes(items.map((i) => ({ tenantId: i.tenantId, recipientToken: i.recipientToken })));
    const hitsOf = (i: ScreenedMessage): { scope: string; changedAt: Date }[] => optedOut.get(`${i.tenantId}\u0000${i.recipientToken}`) ?? [];
    const confirmations = items
      .map((i, n) => ({ i, since: i.envelope.kind === 'opt_out_confirmation' ? latestOptOut(scopes[n]!, hitsOf(i)) : null }))
      .filter((x): x is { i: ScreenedMessage; since: Date } => x.since !== null);
    const alreadyConfirmed = await this.ledger.confirmationsSince(
      confirmations.map(({ i, since }) => ({ tenantId: i.tenantId, recipientToken: i.recipientToken, since, messageId: i.messageId })),
    );
    items.forEach((i, n) => {
      const decision = lastMomentOptOut(i.envelope, scopes[n]!, hitsOf(i), alreadyConfirmed.has(i.messageId));
      if (!decision.allow) out.set(i.messageId, decision.verdict);
    });
    return out;
  }
}
