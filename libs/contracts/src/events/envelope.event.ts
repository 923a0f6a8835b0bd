import { z } from 'zod';
import { ClauseIdSchema } from '../policy/clauses.js';
import { ConsentBasisSchema, E164Schema, MAX_BODY_LENGTH, MessageIdSchema, MessagingServiceSidSchema, TenantIdSchema, TimestampSchema, UseCaseSchema } from './common.js';

export const StageSchema = z.enum(['intake', 'consent', 'content-screening', 'snowshoeing-detector', 'dispatcher', 'review']);
export type Stage = z.infer<typeof StageSchema>;

export const DecisionSchema = z.enum(['pass', 'transform', 'hold', 'block']);
export type Decision = z.infer<typeof DecisionSchema>;

/** A change a stage made to the message, recorded as such (DESIGN principle 1). */
export const TransformSchema = z.strictObject({
  kind: z.enum(['append', 'prepend']),
  text: z.string().max(MAX_BODY_LENGTH),
  description: z.string().max(500),
});
export type Transform = z.infer<typeof TransformSchema>;

/** Facts a stage used, for the audit trail. Never phone numbers or bodies in clear. */
export const FactsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]));
export type Facts = z.infer<typeof FactsSchema>;

/**
 * What a stage saw and where: the matched text as the sender wrote it, its position in the body
 * (UTF-16 offsets, end exclusive), and the normalisations needed to see it ("leet", "invisible").
 */
export const EvidenceSchema = z.strictObject({
  category: z.string().min(1).max(64),
  text: z.string().max(MAX_BODY_LENGTH),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  normalisation: z.array(z.string().max(32)).max(16),
  note: z.string().max(300).optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const VerdictSchema = z.strictObject({
  stage: StageSchema,
  decision: DecisionSchema,
  clauses: z.array(ClauseIdSchema).min(1),
  reason: z.string().min(1).max(1000),
  facts: FactsSchema.default({}),
  transform: TransformSchema.optional(),
  /** Structured evidence for the decision, when the stage has any (content screening). */
  evidence: z.array(EvidenceSchema).max(50).optional(),
  at: TimestampSchema,
});
export type Verdict = z.infer<typeof VerdictSchema>;

/** Which record, basis and wording let this message pass consent. */
export const ConsentReceiptSchema = z.strictObject({
  basis: ConsentBasisSchema,
  recordId: z.string().min(1).max(100),
  wordingVersion: z.string().max(100).optional(),
  decidedAt: TimestampSchema,
  /**
   * No message of this brand has been sent to this person before (consent knows from the
   * status topic). Later stages use it for first-message rules (MP.OPTOUT.LANGUAGE,
   * MP.SENDER_ID); absent means unknown and is treated as a first message.
   */
  firstMessage: z.boolean().optional(),
});
export type ConsentReceipt = z.infer<typeof ConsentReceiptSchema>;

/**
 * The message envelope, version 1 (DESIGN principle 1): defined once here, validated at every
 * boundary, and extended by each stage appending a verdict rather than rewriting earlier ones.
 */
/**
 * What the message is. System messages are the pipeline's own answers to a person: the one
 * confirmation after an opt-out (MP.OPTOUT.HONOR), the answer to HELP, the confirmation of
 * an opt-in. They still pass every stage, which knows what each kind may and may not carry.
 */
export const MessageKindSchema = z.enum(['standard', 'opt_out_confirmation', 'opt_in_confirmation', 'help_reply']);
export type MessageKind = z.infer<typeof MessageKindSchema>;

export const MessageEnvelopeSchema = z.strictObject({
  schema: z.literal('sms.envelope'),
  version: z.literal(1),
  id: MessageIdSchema,
  tenantId: TenantIdSchema,
  kind: MessageKindSchema.default('standard'),
  idempotencyKey: z.string().max(200).optional(),
  channel: z.enum(['http', 'kafka']),
  acceptedAt: TimestampSchema,
  message: z.strictObject({
    to: E164Schema,
    from: E164Schema.optional(),
    messagingServiceSid: MessagingServiceSidSchema.optional(),
    brand: z.string().min(1).max(100),
    campaign: z.string().min(1).max(100),
    useCase: UseCaseSchema,
    body: z.string().min(1).max(MAX_BODY_LENGTH),
    sendAt: TimestampSchema.optional(),
  }),
  recipient: z.strictObject({
    /** ISO 3166-1 alpha-2 country from the number; "ZZ" when unknown (strictest rules apply). */
    country: z.string().regex(/^[A-Z]{2}$/),
    /** State or province (ISO 3166-2 subdivision code without the country, e.g. "FL"), when known. */
    region: z
      .string()
      .regex(/^[A-Z0-9]{1,3}$/)
      .optional(),
    /** IANA time zone of the recipient, from the envelope's sender or the number's area code. */
    timeZone: z.string().min(1).max(64).optional(),
    /**
     * The recipient's mobile carrier, when an upstream lookup knows it: 10DLC throughput is set per
     * carrier (AUP.SERVICE_LIMITS). Absent = unknown, and the dispatcher assumes the strictest.
     */
    carrier: z.enum(['att', 'tmobile', 'verizon', 'other']).optional(),
    /** Age in whole years from a verified date of birth (set by consent, MP.AGE_GATE); absent = not verified. */
    verifiedAge: z.number().int().min(0).max(150).optional(),
  }),
  consent: ConsentReceiptSchema.optional(),
  verdicts: z.array(VerdictSchema).max(50),
});
export type MessageEnvelope = z.infer<typeof MessageEnvelopeSchema>;

/** The verdict the last stage appended, which is what a stage topic's consumer acts on. */
export function lastVerdict(envelope: MessageEnvelope): Verdict | undefined {
  return envelope.verdicts.at(-1);
}

/** Appends a verdict, applying its transform (if any) to the body. Returns a new envelope. */
export function appendVerdict(envelope: MessageEnvelope, verdict: Verdict): MessageEnvelope {
  let body = envelope.message.body;
  if (verdict.transform?.kind === 'append') body = `${body}${verdict.transform.text}`;
  if (verdict.transform?.kind === 'prepend') body = `${verdict.transform.text}${body}`;
  return { ...envelope, message: { ...envelope.message, body }, verdicts: [...envelope.verdicts, verdict] };
}

/** A stopping decision ends the message's way through the pipeline. */
export function isStopping(decision: Decision): boolean {
  return decision === 'block' || decision === 'hold';
}
