import { z } from 'zod';
import { TenantIdSchema, TimestampSchema } from './common.js';

/**
 * Where a consent came from. Purchased, rented and shared lists are named so that they can
 * be refused explicitly (MP.CONSENT.NOT_PURCHASED) rather than slipping in as "other".
 */
export const ConsentSourceSchema = z.enum(['web_form', 'paper_form', 'sms_keyword', 'in_person', 'phone_call', 'patient_portal', 'purchased_list', 'rented_list', 'shared_list']);
export type ConsentSource = z.infer<typeof ConsentSourceSchema>;

export const ConsentEvidenceSchema = z
  .strictObject({
    formId: z.string().max(200).optional(),
    url: z.url().max(2000).optional(),
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    userAgent: z.string().max(1000).optional(),
    signedDocumentHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest')
      .optional(),
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
  /** The frequency the person chose when they agreed, honoured as a cap (MP.CONSENT.PERIODIC). */
  chosenFrequency: z.strictObject({ max: z.number().int().positive().max(1000), per: z.enum(['day', 'week', 'month']) }).optional(),
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

/** Actions that create a prior relationship (MP.CONSENT.PRIOR_RELATIONSHIP). */
export const RelationshipActionSchema = z.enum(['appointment_booked', 'order_placed', 'alert_set_up', 'button_press', 'service_requested']);

const relationshipFields = {
  to: z.string().trim().min(1).max(32),
  brand: z.string().trim().min(1).max(100),
  /** The informational campaign the relationship lets the brand use (reminders for a booking, ...). */
  campaign: z.string().trim().min(1).max(100),
  action: RelationshipActionSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  /** The upstream record of the action (booking id, order number): the proof. */
  reference: z.string().min(1).max(200),
};

/** The body of `POST /v1/relationships`: the person gave their number and took an action. */
export const RelationshipEventSchema = z.strictObject(relationshipFields);
export type RelationshipEvent = z.infer<typeof RelationshipEventSchema>;

/** What upstream products publish on `consent.relationships.v1`. */
export const RelationshipEventMessageSchema = z.strictObject({ ...relationshipFields, tenantId: TenantIdSchema, eventId: z.string().min(1).max(200) });
export type RelationshipEventMessage = z.infer<typeof RelationshipEventMessageSchema>;

/** The body of `POST /v1/age-verifications` (MP.AGE_GATE). */
export const AgeVerificationSchema = z.strictObject({
  to: z.string().trim().min(1).max(32),
  dateOfBirth: z.iso.date(),
  /** How the date of birth was verified; a person's own statement is not a verification. */
  method: z.enum(['government_id', 'third_party_database', 'credit_card', 'in_person_check']),
  verifiedAt: z.iso.datetime({ offset: true }),
  reference: z.string().max(200).optional(),
});
export type AgeVerification = z.infer<typeof AgeVerificationSchema>;
