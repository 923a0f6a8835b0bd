import { z } from 'zod';
import { E164Schema, MessagingServiceSidSchema, TenantIdSchema, TimestampSchema, UseCaseSchema } from './common.js';

export const SenderTypeSchema = z.enum(['long_code', 'toll_free', 'short_code', '10dlc']);

/**
 * A tenant of the platform as every service sees it, published by intake (which owns the
 * tenant registry) on a compacted topic. API keys travel only as SHA-256 hashes.
 */
export const TenantConfigEventSchema = z.strictObject({
  tenantId: TenantIdSchema,
  name: z.string().min(1).max(200),
  status: z.enum(['active', 'suspended']),
  apiKeyHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(20),
  brands: z.array(z.strictObject({ name: z.string().min(1).max(100), helpText: z.string().max(320).optional() })).max(50),
  campaigns: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(100),
        brand: z.string().min(1).max(100),
        useCase: UseCaseSchema,
        description: z.string().max(500).optional(),
      }),
    )
    .max(200),
  senders: z
    .array(
      z.strictObject({
        number: E164Schema,
        type: SenderTypeSchema,
        /** The brand the number is registered for; inbound opt-outs to it apply to that brand. */
        brand: z.string().min(1).max(100).optional(),
        messagingServiceSid: MessagingServiceSidSchema.optional(),
      }),
    )
    .max(1000),
  messagingServices: z.array(z.strictObject({ sid: MessagingServiceSidSchema, name: z.string().max(100) })).max(50),
  settings: z
    .strictObject({
      /** Where an opt-out applies: the sender number (Twilio's default), the brand, or every brand of the tenant. */
      optOutScope: z.enum(['sender', 'brand', 'tenant']).default('brand'),
    })
    .default({ optOutScope: 'brand' }),
  updatedAt: TimestampSchema,
});
export type TenantConfigEvent = z.infer<typeof TenantConfigEventSchema>;

/** The numbers a message may go out from when it names a messaging service instead of a sender. */
export function messagingServiceNumbers(tenant: TenantConfigEvent | undefined, messagingServiceSid: string | undefined): string[] {
  if (!tenant || messagingServiceSid === undefined) return [];
  return tenant.senders.filter((s) => s.messagingServiceSid === messagingServiceSid).map((s) => s.number);
}
