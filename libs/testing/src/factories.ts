import { TenantConfigEventSchema, type MessageEnvelope, type TenantConfigEvent } from '@sms/contracts';
import type { z } from 'zod';
import { randomUUID } from 'node:crypto';

type DeepPartialMessage = Partial<MessageEnvelope['message']>;

export function anEnvelope(overrides: Partial<Omit<MessageEnvelope, 'message'>> & { message?: DeepPartialMessage } = {}): MessageEnvelope {
  const { message, ...rest } = overrides;
  return {
    schema: 'sms.envelope',
    version: 1,
    id: randomUUID(),
    tenantId: 'acme-dental',
    kind: 'standard',
    channel: 'http',
    acceptedAt: '2026-11-27T15:00:00.000Z',
    message: {
      to: '+14155552671',
      from: '+14155550101',
      brand: 'Acme Dental',
      campaign: 'reminders',
      useCase: 'informational',
      body: 'Acme Dental: your cleaning is tomorrow at 9:00. Reply STOP to opt out.',
      ...message,
    },
    recipient: { country: 'US' },
    verdicts: [],
    ...rest,
  };
}

/** A tenant as it would arrive on the tenant topic: parsed, so every setting has its default. */
export function aTenant(overrides: Partial<z.input<typeof TenantConfigEventSchema>> = {}): TenantConfigEvent {
  return TenantConfigEventSchema.parse({
    tenantId: 'acme-dental',
    name: 'Acme Dental',
    status: 'active',
    apiKeyHashes: [],
    brands: [{ name: 'Acme Dental', helpText: 'Acme Dental: call (415) 555-0100 for help. Reply STOP to opt out.' }],
    campaigns: [
      { id: 'reminders', brand: 'Acme Dental', useCase: 'informational' },
      { id: 'offers', brand: 'Acme Dental', useCase: 'marketing' },
      { id: 'conversations', brand: 'Acme Dental', useCase: 'conversational' },
    ],
    senders: [
      { number: '+14155550101', type: 'long_code', brand: 'Acme Dental', messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' },
      { number: '+14155550102', type: 'long_code', brand: 'Acme Dental', messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' },
    ],
    messagingServices: [{ sid: 'MG0123456789abcdef0123456789abcdef', name: 'Acme reminders' }],
    settings: {},
    updatedAt: '2026-11-27T10:00:00.000Z',
    ...overrides,
  });
}
