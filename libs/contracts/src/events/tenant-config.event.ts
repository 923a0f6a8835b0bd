import { z } from 'zod';
import { E164Schema, MessagingServiceSidSchema, TenantIdSchema, TimestampSchema, UseCaseSchema } from './common.js';
import { CampaignSenderPoolSchema, SnowshoeOverridesSchema } from './snowshoe.event.js';

export const SenderTypeSchema = z.enum(['long_code', 'toll_free', 'short_code', '10dlc']);

/**
 * A tenant of the platform as every service sees it, published by intake (which owns the
 * tenant registry) on a compacted topic. API keys travel only as SHA-256 hashes.
 */
export const TenantConfigEventSchema = z.strictObject({
  tenantId: TenantIdSchema,
  name: z.string().min(1).max(200),
  status: z.enum(['active', 'suspended']),
  /** Why the tenant is suspended, when it is. */
  suspension: z.strictObject({ reason: z.string().max(1000), at: TimestampSchema }).optional(),
  apiKeyHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(20),
  brands: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(100),
        helpText: z.string().max(320).optional(),
        /**
         * Most SMS segments a day this brand may send to T-Mobile subscribers over 10DLC, as T-Mobile
         * assigned it (AUP.SERVICE_LIMITS); absent: the dispatcher's default for an unvetted brand.
         */
        tmobileDailyCap: z.number().int().positive().optional(),
      }),
    )
    .max(50),
  campaigns: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(100),
        brand: z.string().min(1).max(100),
        useCase: UseCaseSchema,
        description: z.string().max(500).optional(),
        /** Most messages of this campaign to one person per rolling day / week (MP.CONSENT.PERIODIC). */
        maxPerDay: z.number().int().positive().optional(),
        maxPerWeek: z.number().int().positive().optional(),
        /** A recurring campaign reminds people how to opt out when it last did longer ago than this (MP.CONSENT.PERIODIC). */
        optOutReminderDays: z.number().int().positive().optional(),
        /** Suspended by enforcement (MP.ISV, MP.ENFORCEMENT): intake refuses its messages until an operator lifts it. */
        suspension: z.strictObject({ reason: z.string().max(1000), at: TimestampSchema }).optional(),
        /** The numbers and messaging services this campaign sends from; absent: every sender of its brand (MP.EVASION.SNOWSHOE). */
        senders: CampaignSenderPoolSchema.optional(),
        /** Snowshoeing thresholds for this campaign, by detector rule name (MP.EVASION.SNOWSHOE). */
        snowshoe: SnowshoeOverridesSchema.optional(),
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
        /** 10DLC: how the brand is registered with The Campaign Registry, which sets its throughput (AUP.SERVICE_LIMITS). */
        registration: z.enum(['standard_brand', 'low_volume_mixed', 'sole_proprietor']).optional(),
        /** 10DLC: the brand's TCR trust score (0-100); absent: the lowest tier. */
        trustScore: z.number().int().min(0).max(100).optional(),
      }),
    )
    .max(1000),
  messagingServices: z.array(z.strictObject({ sid: MessagingServiceSidSchema, name: z.string().max(100) })).max(50),
  settings: z
    .strictObject({
      /** Where an opt-out applies: the sender number (Twilio's default), the brand, or every brand of the tenant. */
      optOutScope: z.enum(['sender', 'brand', 'tenant']).default('brand'),
      /**
       * Who confirms an opt-out keyword sent to a number of one of the tenant's Messaging Services
       * (MP.OPTOUT.HONOR: exactly one confirmation): `twilio`, Twilio's standard opt-out handling
       * answers and the gateway sends none; `gateway`, the service's Advanced Opt-Out is set so
       * that Twilio does not answer, and the gateway sends the one confirmation. It must match
       * the service's setting at Twilio. A number in no Messaging Service always gets Twilio's.
       */
      optOutConfirmation: z.enum(['twilio', 'gateway']).default('gateway'),
      /**
       * The first message after consent older than the reconfirmation window (MP.CONSENT.RECONFIRM):
       * append reconfirmation wording, hold it for review, or block it.
       */
      reconfirm: z.enum(['transform', 'hold', 'block']).default('transform'),
      /** Most messages per second intake accepts from this tenant over HTTP; unset: the platform's default. */
      rateLimitPerSecond: z.number().int().positive().max(100_000).optional(),
      /** A first message without standard opt-out wording (MP.OPTOUT.LANGUAGE): append it, or block the message. */
      missingOptOutLanguage: z.enum(['transform', 'block']).default('transform'),
      /** A message that does not name its brand (MP.SENDER_ID): add the brand, or block the message. */
      missingSenderId: z.enum(['transform', 'block']).default('transform'),
      /** A link through a public URL shortener, which hides where it goes: hold it for review, or block it. */
      publicUrlShortener: z.enum(['hold', 'block']).default('hold'),
      /**
       * Informational messages (reminders) inside the recipient's quiet hours: send them, or defer
       * them like marketing to the next allowed time. Absent: defer.
       */
      informationalInQuietHours: z.enum(['send', 'defer']).optional(),
      /** Snowshoeing thresholds for the tenant's campaigns, by detector rule name (MP.EVASION.SNOWSHOE). */
      snowshoe: SnowshoeOverridesSchema.optional(),
    })
    // prefault parses {} through the object, so every field's own default applies.
    .prefault({}),
  updatedAt: TimestampSchema,
});
export type TenantConfigEvent = z.infer<typeof TenantConfigEventSchema>;

/** The numbers a message may go out from when it names a messaging service instead of a sender. */
export function messagingServiceNumbers(tenant: TenantConfigEvent | undefined, messagingServiceSid: string | undefined): string[] {
  if (!tenant || messagingServiceSid === undefined) return [];
  return tenant.senders.filter((s) => s.messagingServiceSid === messagingServiceSid).map((s) => s.number);
}

/** Every tenant setting at its default: for a message whose tenant is not (yet) known. */
export function defaultTenantSettings(): TenantConfigEvent['settings'] {
  return TenantConfigEventSchema.shape.settings.parse(undefined);
}
