import type { TenantConfigEvent } from '@sms/contracts';

/**
 * Where an opt-out (or opt-in) sent to one of the tenant's numbers applies, by the tenant's
 * setting: that number only (Twilio's own behaviour), the number's brand (our default), or
 * every brand of the tenant. A number with no brand falls back to the whole tenant: when in
 * doubt, stop more, not less.
 */
export function optScopeFor(tenant: TenantConfigEvent, number: string): string {
  const sender = tenant.senders.find((s) => s.number === number);
  switch (tenant.settings.optOutScope) {
    case 'sender':
      return `sender:${number}`;
    case 'brand':
      return sender?.brand !== undefined ? `brand:${sender.brand}` : 'tenant';
    case 'tenant':
      return 'tenant';
  }
}

/**
 * Where an opt-out that Twilio reported (error 21610: the person unsubscribed from a sender)
 * applies. With no known sender (a messaging-service send), the brand stands in for it.
 */
export function scopeForTwilioOptOut(tenant: TenantConfigEvent, sender: string | null, brand: string): string {
  if (sender !== null) return optScopeFor(tenant, sender);
  return tenant.settings.optOutScope === 'tenant' ? 'tenant' : `brand:${brand}`;
}
