import { z } from 'zod';
import { TenantIdSchema, TimestampSchema } from './common.js';

/**
 * Where a consent came from. Purchased, rented and shared lists are named so that they can
 * be refused explicitly (MP.CONSENT.NOT_PURCHASED) rather than slipping in as "other".
 */
export const ConsentSourceSchema = z.enum([
  'web_form',
  'paper_form',
  'sms_keyword',
  'in_person',
  'phone_call',
  'patient_portal',
  'purchased_list',
  'rented_list',
  'shared_list',
]);
export type ConsentSource = z.infer<typeof ConsentSourceSchema>;

export const ConsentEvidenceSchema = z
  .strictObject({
    formId: z.string().max(200).optional(),
    url: z.url().max(2000).optional(),
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    userAgent: z.string().max(1000).optional(),
    signedDocumentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest').optional(),
    inboundMessageSid: z.string().max(64).optional(),
  })
  .refine((e) => Object.values(e).some((v) => v !== undefined), {
    message: 'give at least one piece of evidence (formId, url, ip, userAgent, signedDocumentHash or inboundMessageSid)',
  });

const consentCaptureFields = {
  to: z.string().trim().min(1).max(32),
  brand: z.string().trim().min(1).max(100),
  campaign: z.string().trim().min(1).max(100),
  basis: z.enum(['express', 'prior_relationship']),
  source: ConsentSourceSchema,
  capturedAt: z.iso.datetime({ offset: true }),
  /** The exact wording the person was shown when they agreed. */
  wording: z.string().min(1).max(2000),
  wordingVersion: z.string().min(1).max(100).optional(),
  evidence: ConsentEvidenceSchema,
};

/** The body of `POST /v1/consents` (MP.CONSENT.PROOF). */
export const ConsentCaptureSchema = z.strictObject(consentCaptureFields);
export type ConsentCapture = z.infer<typeof ConsentCaptureSchema>;

/** What upstream sign-up flows publish on `consent.captures.v1`. */
export const ConsentCaptureEventSchema = z.strictObject({
  ...consentCaptureFields,
  tenantId: TenantIdSchema,
  captureId: z.string().min(1).max(200),
  at: TimestampSchema.optional(),
});
export type ConsentCaptureEvent = z.infer<typeof ConsentCaptureEventSchema>;
