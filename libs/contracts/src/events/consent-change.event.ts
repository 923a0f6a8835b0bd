import { z } from 'zod';
import { TenantIdSchema, TimestampSchema } from './common.js';

/**
 * A change of a person's consent, with its proof, for the audit history (AUP.REPORTING,
 * MP.CONSENT.PROOF): a consent recorded, an opt-out (with the inbound message that caused
 * it and the confirmation sent), an opt-in, a pause of marketing, an age verified. The
 * recipient is a keyed hash; the proof's content stays inside the platform (the analyst
 * stream never carries it).
 */
export const ConsentChangeEventSchema = z.strictObject({
  /** Stable across redeliveries: audit records each change once. */
  changeId: z.string().min(1).max(200),
  tenantId: TenantIdSchema,
  recipientToken: z.string().min(8).max(64),
  kind: z.enum(['consent_recorded', 'opted_out', 'opted_in', 'marketing_paused', 'age_verified']),
  at: TimestampSchema,
  brand: z.string().max(100).optional(),
  campaign: z.string().max(100).optional(),
  scope: z.string().max(200).optional(),
  basis: z.enum(['express', 'prior_relationship']).optional(),
  source: z.string().max(200),
  proof: z.strictObject({
    recordId: z.string().max(100).optional(),
    wording: z.string().max(2000).optional(),
    wordingHash: z.string().max(100).optional(),
    wordingVersion: z.string().max(100).optional(),
    evidence: z.record(z.string(), z.string()).optional(),
    inboundTwilioSid: z.string().max(100).optional(),
    inboundBody: z.string().max(1600).optional(),
    keyword: z.string().max(50).optional(),
    confidence: z.number().min(0).max(1).optional(),
    confirmationMessageId: z.string().max(100).optional(),
    verificationMethod: z.string().max(100).optional(),
  }),
});
export type ConsentChangeEvent = z.infer<typeof ConsentChangeEventSchema>;
