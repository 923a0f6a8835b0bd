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
  return twilioRead(inbound, 'STOP', TWILIO_OPT_OUT_KEYWORDS) && twilioAnswersFor(inbound, tenant);
}

/** Twilio's standard opt-in and help keywords, which it answers itself where it answers STOP. */
export const TWILIO_OPT_IN_KEYWORDS: readonly string[] = ['START', 'YES', 'UNSTOP'];
export const TWILIO_HELP_KEYWORDS: readonly string[] = ['HELP', 'INFO'];

/**
 * Whether the tenant's own reply to this START or HELP is Twilio's, so that the gateway sends
 * no second one: only for a Messaging Service's number when the tenant set
 * `optOutConfirmation: twilio` (its Advanced Opt-Out then carries the tenant's wording, brand
 * and contact included). A number in no service gets Twilio's generic default reply, which
 * names no brand, so the gateway still sends its own (CTIA: HELP names the brand and a contact).
 */
export function twilioAnswersKeyword(inbound: Pick<InboundMessageEvent, 'to' | 'body' | 'optOutType'>, tenant: Pick<TenantConfigEvent, 'senders' | 'settings'>, kind: 'opt_in' | 'help'): boolean {
  const read = kind === 'opt_in' ? twilioRead(inbound, 'START', TWILIO_OPT_IN_KEYWORDS) : twilioRead(inbound, 'HELP', TWILIO_HELP_KEYWORDS);
  const inService = tenant.senders.find((s) => s.number === inbound.to)?.messagingServiceSid !== undefined;
  return read && inService && tenant.settings.optOutConfirmation === 'twilio';
}

function twilioRead(inbound: Pick<InboundMessageEvent, 'body' | 'optOutType'>, type: 'STOP' | 'START' | 'HELP', standard: readonly string[]): boolean {
  return inbound.optOutType === type || standard.includes(inbound.body.trim().toUpperCase());
}

/** Twilio, not the gateway, answers keywords to this number: always outside a Messaging Service, and inside one when the tenant says so. */
function twilioAnswersFor(inbound: Pick<InboundMessageEvent, 'to'>, tenant: Pick<TenantConfigEvent, 'senders' | 'settings'>): boolean {
  const inService = tenant.senders.find((s) => s.number === inbound.to)?.messagingServiceSid !== undefined;
  return !inService || tenant.settings.optOutConfirmation === 'twilio';
}
