import type { InboundMessageEvent, MessageEnvelope, MessageKind, TenantConfigEvent } from '@sms/contracts';
import { parseInternationalNumber } from '@sms/domain';
import { v5 as uuidv5 } from 'uuid';

/** Namespace of the ids of the pipeline's own replies, so a redelivered inbound message yields the same id. */
const REPLY_NAMESPACE = '2f1c6f9e-4c8e-4f7a-9d0e-6b3f2a8c5d71';

export function replyMessageId(inboundTwilioSid: string, kind: Exclude<MessageKind, 'standard'>): string {
  return uuidv5(`${inboundTwilioSid}:${kind}`, REPLY_NAMESPACE);
}

/** The brand a person wrote to: the number's brand, else the tenant's first. */
export function brandOf(tenant: TenantConfigEvent, number: string): TenantConfigEvent['brands'][number] | undefined {
  const brand = tenant.senders.find((s) => s.number === number)?.brand;
  return tenant.brands.find((b) => b.name === brand) ?? tenant.brands[0];
}

/** Wording of the replies; the opt-out confirmation says that nothing more will come (MP.OPTOUT.HONOR). */
export function replyText(kind: Exclude<MessageKind, 'standard'>, brand: TenantConfigEvent['brands'][number]): string {
  switch (kind) {
    case 'opt_out_confirmation':
      return `${brand.name}: You are unsubscribed and will receive no more messages from us. Reply START to resubscribe.`;
    case 'opt_in_confirmation':
      return `${brand.name}: You are subscribed again. Msg & data rates may apply. Reply HELP for help, STOP to opt out.`;
    case 'help_reply':
      return brand.helpText ?? `${brand.name}: for help, contact us directly. Reply STOP to opt out.`;
  }
}

/**
 * A reply from the number the person wrote to. It goes through the whole pipeline like any
 * message, so every stage and the audit see it; consent lets it pass only because it decided
 * to send it (its id is recorded with the inbound message or the opt-out).
 */
export function replyEnvelope(kind: Exclude<MessageKind, 'standard'>, inbound: InboundMessageEvent, tenant: TenantConfigEvent, now: Date): MessageEnvelope | null {
  const brand = brandOf(tenant, inbound.to);
  if (!brand) return null;
  const recipient = parseInternationalNumber(inbound.from);
  return {
    schema: 'sms.envelope',
    version: 1,
    id: replyMessageId(inbound.twilioSid, kind),
    tenantId: tenant.tenantId,
    kind,
    channel: 'kafka',
    acceptedAt: now.toISOString(),
    message: {
      to: inbound.from,
      from: inbound.to,
      brand: brand.name,
      campaign: `system:${kind}`,
      useCase: 'informational',
      body: replyText(kind, brand),
    },
    recipient: { country: recipient.ok ? (recipient.value.country ?? 'ZZ') : 'ZZ' },
    verdicts: [],
  };
}
