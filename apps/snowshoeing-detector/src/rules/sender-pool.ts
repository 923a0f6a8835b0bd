import type { MessageEnvelope, TenantConfigEvent, Verdict } from '@sms/contracts';

/**
 * MP.EVASION.SNOWSHOE: a tenant sends only from the numbers and messaging services it
 * registered. A message from a number outside that pool is how snowshoeing starts (spreading
 * traffic over fresh numbers to stay under each number's filters), so it is blocked.
 */
export function checkSenderPool(envelope: MessageEnvelope, tenant: TenantConfigEvent | undefined, now: Date | string): Verdict {
  const at = typeof now === 'string' ? now : now.toISOString();
  const { from, messagingServiceSid } = envelope.message;
  const block = (reason: string, facts: Verdict['facts']): Verdict => ({
    stage: 'snowshoeing-detector',
    decision: 'block',
    clauses: ['MP.EVASION.SNOWSHOE', 'AUP.SERVICE_LIMITS'],
    reason,
    facts,
    at,
  });
  if (!tenant) return block('the tenant has no registered sender pool', { sender: from ?? messagingServiceSid ?? null });
  if (from !== undefined) {
    const sender = tenant.senders.find((s) => s.number === from);
    if (!sender) return block(`sender ${from} is not in the tenant's registered sender pool`, { sender: from, poolSize: tenant.senders.length });
    if (sender.brand !== undefined && sender.brand !== envelope.message.brand) {
      return block(`sender ${from} is registered for brand "${sender.brand}", not "${envelope.message.brand}"`, { sender: from, senderBrand: sender.brand });
    }
  } else if (messagingServiceSid !== undefined && !tenant.messagingServices.some((m) => m.sid === messagingServiceSid)) {
    return block(`messaging service ${messagingServiceSid} is not registered for the tenant`, { sender: messagingServiceSid });
  }
  return {
    stage: 'snowshoeing-detector',
    decision: 'pass',
    clauses: ['MP.EVASION.SNOWSHOE'],
    reason: 'sent from the registered sender pool',
    facts: { sender: from ?? messagingServiceSid ?? null },
    at,
  };
}

/** Cleared messages are keyed by sender, so one dispatcher instance paces each sender. */
export function senderKey(envelope: MessageEnvelope): string {
  return `${envelope.tenantId}|${envelope.message.from ?? envelope.message.messagingServiceSid ?? ''}`;
}
