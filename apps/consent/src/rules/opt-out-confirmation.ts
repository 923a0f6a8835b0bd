import type { InboundMessageEvent, TenantConfigEvent } from '@sms/contracts';

/**
 * Twilio's standard opt-out keywords: a reply that is one of them, as a single word in any
 * case, puts the person on Twilio's opt-out list and gets Twilio's own confirmation ("Twilio
 * support for opt-out keywords (SMS STOP filtering)"; REVOKE and OPTOUT per "Customize users'
 * opt-in and opt-out experience with Advanced Opt-Out").
 */
export const TWILIO_OPT_OUT_KEYWORDS: readonly string[] = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];

/**
 * Whether Twilio itself confirmed this opt-out, so that the gateway must send none
 * (MP.OPTOUT.HONOR: exactly one confirmation). Twilio answers when it read an opt-out keyword
 * (a Messaging Service's Advanced Opt-Out says so in OptOutType, its custom keywords included;
 * elsewhere, only its standard single words) and it is the one answering: always for a number
 * in no Messaging Service (Advanced Opt-Out belongs to services), and for a service's number
 * when the tenant set `optOutConfirmation: twilio`. An opt-out in ordinary words is Twilio's
 * nobody's: the gateway confirms it.
 */
export function twilioConfirmsOptOut(inbound: Pick<InboundMessageEvent, 'to' | 'body' | 'optOutType'>, tenant: Pick<TenantConfigEvent, 'senders' | 'settings'>): boolean {
  const twilioReadStop = inbound.optOutType === 'STOP' || TWILIO_OPT_OUT_KEYWORDS.includes(inbound.body.trim().toUpperCase());
  if (!twilioReadStop) return false;
  const inService = tenant.senders.find((s) => s.number === inbound.to)?.messagingServiceSid !== undefined;
  return !inService || tenant.settings.optOutConfirmation === 'twilio';
}
