import type { MessageEnvelope, StatusEvent } from '@sms/contracts';
import { anEnvelope } from '@sms/testing';
import { uniqueNumber } from './dispatch-world.js';

/**
 * An appointment reminder of `tenantId`'s `brand` from `from` to a fresh New York number, its
 * text made unique; `overrides` change its message, `extra` the rest of the envelope. New York,
 * with the specs' policy clock at noon there, keeps quiet hours out of the way.
 */
export function aReminder(tenantId: string, brand: string, from: string | undefined, overrides: Partial<MessageEnvelope['message']> = {}, extra: Partial<MessageEnvelope> = {}): MessageEnvelope {
  return anEnvelope({
    tenantId,
    message: {
      to: uniqueNumber('212'),
      from,
      brand,
      campaign: 'reminders',
      useCase: 'informational',
      body: `Acme Dental: see you tomorrow. Reply STOP to opt out. ${Math.random()}`,
      ...overrides,
    },
    recipient: { country: 'US', region: 'NY', timeZone: 'America/New_York' },
    ...extra,
  });
}

/** The statuses a tap of `sms.status.v1` has seen for one message, in order. */
export function statusesOf(statuses: { records: { value: StatusEvent | null }[] }, messageId: string): StatusEvent[] {
  return statuses.records.filter((r) => r.value?.messageId === messageId).map((r) => r.value!);
}
